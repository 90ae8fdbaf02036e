package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;

/**
 * Advances one key's {@link RecurrentState} by one event: {@code state <- step(state, input)}, in
 * place, with no allocation. Holds scratch buffers, so one instance per thread.
 *
 * <p>The math is the reference DL4J computes (held to it by a parity test):
 *
 * <ul>
 *   <li>Elman: {@code h_t = tanh(x_t W_xh + h_{t-1} W_hh + b)}
 *   <li>LSTM: {@code i, f, o = sigmoid(.)}, {@code g = tanh(.)}, {@code c_t = f c_{t-1} + i g},
 *       {@code h_t = o tanh(c_t)}
 *   <li>output: {@code softmax(h_T W_hy + b_y)} on the top layer
 * </ul>
 */
public final class Stepper {

    private final SequenceClassifier classifier;
    private final ModelSpec spec;
    private final LayerStep[] layers;
    private final float[] embedding;
    private final float[][] outputRows;
    private final float[] outputBias;
    private final int hidden;
    private final int stride;
    private final float[] normalizedInput;
    private final float[] logits;
    private final SoftmaxKernel softmax;

    Stepper(SequenceClassifier classifier) {
        this.classifier = classifier;
        this.spec = classifier.spec();
        NetworkWeights weights = classifier.weights();
        this.layers = classifier.newLayerSteps();
        this.embedding = weights.embedding();
        this.outputRows = classifier.outputRows();
        this.outputBias = weights.outputBias();
        this.hidden = spec.hiddenSize();
        this.stride = classifier.stride();
        this.normalizedInput =
                new float[spec.inputKind() == InputKind.FEATURES ? spec.inputSize() : 0];
        this.logits = new float[spec.numClasses()];
        this.softmax = classifier.path().softmax();
    }

    /**
     * Advances by one dense feature vector (raw, un-normalized).
     *
     * @throws IllegalArgumentException if the model takes tokens, the dimension is wrong or a value
     *     is not finite; the state is unchanged then
     */
    public void advance(RecurrentState state, float[] features) {
        if (spec.inputKind() != InputKind.FEATURES) {
            throw new IllegalArgumentException("this model takes tokens, not feature vectors");
        }
        if (features.length != spec.inputSize()) {
            throw new IllegalArgumentException(
                    "features has dimension "
                            + features.length
                            + ", the model expects "
                            + spec.inputSize());
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new IllegalArgumentException(
                        "features[" + i + "] is " + features[i] + ", expected a finite number");
            }
        }
        checkState(state);
        classifier.normalizer().apply(features, normalizedInput);
        propagate(state, normalizedInput, 0);
    }

    /**
     * Advances by one token id (see {@link io.rnnstream.core.text.Vocabulary#id}).
     *
     * @throws IllegalArgumentException if the model takes features or the id is out of range
     */
    public void advanceToken(RecurrentState state, int tokenId) {
        if (spec.inputKind() != InputKind.TOKENS) {
            throw new IllegalArgumentException("this model takes feature vectors, not tokens");
        }
        if (tokenId < 0 || tokenId >= spec.inputSize()) {
            throw new IllegalArgumentException(
                    "token id "
                            + tokenId
                            + " is outside the vocabulary [0, "
                            + spec.inputSize()
                            + ")");
        }
        checkState(state);
        propagate(state, embedding, tokenId * spec.embeddingSize());
    }

    /**
     * Class probabilities from the top layer's current output, written into {@code out}.
     *
     * @return the logarithm of the softmax's normalizer, {@code log sum_k e^logit_k}: a class's
     *     log-probability is its {@link #logit} minus this, so that a caller that keeps it can
     *     score the next symbol at this state without another pass over every class
     */
    public double probabilities(RecurrentState state, float[] out) {
        checkState(state);
        if (out.length != spec.numClasses()) {
            throw new IllegalArgumentException(
                    "output buffer has "
                            + out.length
                            + " slots, the model has "
                            + spec.numClasses()
                            + " classes");
        }
        float[] values = state.values();
        int top = (spec.layers() - 1) * stride;
        int classes = spec.numClasses();
        for (int k = 0; k < classes; k++) {
            logits[k] = outputBias[k];
        }
        // In float, over one array per unit indexed like logits: a loop C2 turns into vector
        // instructions (see SequenceClassifier.outputRows).
        for (int j = 0; j < hidden; j++) {
            float h = values[top + j];
            float[] row = outputRows[j];
            for (int k = 0; k < classes; k++) {
                logits[k] += h * row[k];
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            max = Math.max(max, logits[k]);
        }
        double sum = softmax.exponentials(logits, classes, max, out);
        float scale = (float) (1 / sum);
        for (int k = 0; k < classes; k++) {
            out[k] *= scale;
        }
        return max + Math.log(sum);
    }

    /**
     * The output layer's logit of class {@code id} at the top layer's current output: the value
     * {@link #probabilities} computes for it, to the bit, with one unit's weights per step.
     */
    public double logit(RecurrentState state, int id) {
        checkState(state);
        if (id < 0 || id >= spec.numClasses()) {
            throw new IllegalArgumentException(
                    "class " + id + " is outside [0, " + spec.numClasses() + ")");
        }
        float[] values = state.values();
        int top = (spec.layers() - 1) * stride;
        // The same float operations in the same order as the loop in probabilities.
        float logit = outputBias[id];
        for (int j = 0; j < hidden; j++) {
            logit += values[top + j] * outputRows[j][id];
        }
        return logit;
    }

    /** Allocating convenience for {@link #probabilities(RecurrentState, float[])}. */
    public float[] probabilities(RecurrentState state) {
        float[] out = new float[spec.numClasses()];
        probabilities(state, out);
        return out;
    }

    private void checkState(RecurrentState state) {
        if (!classifier.fits(state)) {
            throw new IllegalArgumentException(
                    "state has "
                            + state.values().length
                            + " values, this model needs "
                            + classifier.stateSize());
        }
    }

    private void propagate(RecurrentState state, float[] input, int inputOffset) {
        float[] values = state.values();
        float[] layerInput = input;
        int layerInputOffset = inputOffset;
        for (int l = 0; l < layers.length; l++) {
            int base = l * stride;
            layers[l].step(layerInput, layerInputOffset, values, base);
            layerInput = values;
            layerInputOffset = base;
        }
        state.incrementSteps();
    }
}
