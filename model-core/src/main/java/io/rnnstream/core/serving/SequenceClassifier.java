package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.text.Vocabulary;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, thread-safe many-to-one classifier served one event at a time. It holds weights,
 * normalizer and vocabulary; the per-key {@link RecurrentState} lives outside and is passed in
 * explicitly, so one instance serves any number of keys.
 *
 * <p>Stepping happens through a {@link Stepper}, which owns scratch buffers and must be used by one
 * thread at a time (one per Flink subtask, for instance).
 */
public final class SequenceClassifier {

    private final NetworkWeights weights;
    private final FeatureNormalizer normalizer;
    private final Vocabulary vocabulary;
    private final int stride;
    private final ServingPath path;
    private final List<LayerPlan> plans;
    private final float[][] outputRows;

    /**
     * @param normalizer required for feature input, null for token input
     * @param vocabulary required for token input, null for feature input
     */
    public SequenceClassifier(
            NetworkWeights weights, FeatureNormalizer normalizer, Vocabulary vocabulary) {
        this(weights, normalizer, vocabulary, ServingPath.active());
    }

    private SequenceClassifier(
            NetworkWeights weights,
            FeatureNormalizer normalizer,
            Vocabulary vocabulary,
            ServingPath path) {
        this.weights = Objects.requireNonNull(weights, "weights");
        ModelSpec spec = weights.spec();
        if (spec.inputKind() == InputKind.FEATURES) {
            if (normalizer == null || normalizer.dimension() != spec.inputSize()) {
                throw new IllegalArgumentException(
                        "feature input of dimension "
                                + spec.inputSize()
                                + " needs a normalizer of that dimension, got "
                                + (normalizer == null ? "none" : normalizer.dimension()));
            }
            if (vocabulary != null) {
                throw new IllegalArgumentException("feature input takes no vocabulary");
            }
        } else {
            if (vocabulary == null || vocabulary.size() != spec.inputSize()) {
                throw new IllegalArgumentException(
                        "token input with "
                                + spec.inputSize()
                                + " embeddings needs a vocabulary of that size, got "
                                + (vocabulary == null ? "none" : vocabulary.size()));
            }
            if (normalizer != null) {
                throw new IllegalArgumentException("token input takes no normalizer");
            }
        }
        this.normalizer = normalizer;
        this.vocabulary = vocabulary;
        this.stride = spec.cell().hasCellState() ? 2 * spec.hiddenSize() : spec.hiddenSize();
        this.path = path;
        this.plans = weights.layers().stream().map(path::plan).toList();
        this.outputRows = rows(weights.output(), spec.hiddenSize(), spec.numClasses());
    }

    /**
     * The output weights one array per hidden unit: C2 vectorizes {@code logits[k] += h * row[k]}
     * only when both arrays are indexed from the same offset (see {@link LayerRows}), and a
     * language model's vocabulary makes this the largest product of a step. Shared by every stepper
     * of this classifier.
     */
    float[][] outputRows() {
        return outputRows;
    }

    private static float[][] rows(float[] matrix, int rows, int columns) {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = java.util.Arrays.copyOfRange(matrix, r * columns, (r + 1) * columns);
        }
        return out;
    }

    /**
     * The same model stepped by the other kernels (for comparisons and benchmarks; the default is
     * {@link ServingPath#active()}). The weights are shared, the kernel layout is built anew.
     *
     * @throws IllegalStateException for {@link ServingPath#VECTOR} where it cannot run
     */
    public SequenceClassifier withPath(ServingPath newPath) {
        return newPath == path
                ? this
                : new SequenceClassifier(weights, normalizer, vocabulary, newPath);
    }

    /** The kernels this classifier's steppers use. */
    public ServingPath path() {
        return path;
    }

    public ModelSpec spec() {
        return weights.spec();
    }

    public NetworkWeights weights() {
        return weights;
    }

    /** The normalizer for feature input, or null. */
    public FeatureNormalizer normalizer() {
        return normalizer;
    }

    /** The vocabulary for token input, or null. */
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Number of floats in a {@link RecurrentState} of this model. */
    public int stateSize() {
        return stride * weights.spec().layers();
    }

    /** The state before the first event: all zeros, as DL4J starts a sequence. */
    public RecurrentState initialState() {
        return new RecurrentState(new float[stateSize()], 0);
    }

    /** Whether {@code state} has this model's shape. */
    public boolean fits(RecurrentState state) {
        return state.values().length == stateSize();
    }

    public Stepper newStepper() {
        return new Stepper(this);
    }

    /** A step for many keys at once; like {@link Stepper}, one per thread. */
    public BatchStepper newBatchStepper() {
        return new BatchStepper(this);
    }

    int stride() {
        return stride;
    }

    /** One kernel step per layer, bottom first, with its own scratch buffers. */
    LayerStep[] newLayerSteps() {
        return plans.stream().map(LayerPlan::newStep).toArray(LayerStep[]::new);
    }

    /**
     * Runs a whole feature sequence from the initial state and returns the class probabilities at
     * its last step. Allocates; meant for offline evaluation.
     */
    public float[] classifyFeatures(float[][] sequence) {
        Stepper stepper = newStepper();
        RecurrentState state = initialState();
        for (float[] step : sequence) {
            stepper.advance(state, step);
        }
        return stepper.probabilities(state);
    }

    /** As {@link #classifyFeatures}, for a token sequence (unknown words map to {@code <unk>}). */
    public float[] classifyTokens(List<String> tokens) {
        Stepper stepper = newStepper();
        RecurrentState state = initialState();
        for (String token : tokens) {
            stepper.advanceToken(state, vocabulary.id(token));
        }
        return stepper.probabilities(state);
    }

    /**
     * Steps a scratch state until {@code steps} steps are done or {@code budget} has passed, so the
     * JIT has compiled this path's kernels before the first real event. Until C2 compiles them the
     * vector path boxes every vector, and a fresh JVM's first steps cost orders of magnitude more
     * than compiled ones. No state anyone else holds is touched.
     *
     * @return the steps taken
     */
    public int warmUp(int steps, Duration budget) {
        Stepper stepper = newStepper();
        RecurrentState state = initialState();
        float[] features = vocabulary == null ? new float[spec().inputSize()] : null;
        float[] probabilities = new float[spec().labels().size()];
        long deadline = System.nanoTime() + budget.toNanos();
        int taken = 0;
        while (taken < steps && System.nanoTime() - deadline < 0) {
            for (int i = 0; i < 100 && taken < steps; i++, taken++) {
                if (vocabulary != null) {
                    stepper.advanceToken(state, taken % vocabulary.size());
                } else {
                    features[taken % features.length] = (taken % 7) * 0.25f - 0.75f;
                    stepper.advance(state, features);
                }
            }
            stepper.probabilities(state, probabilities);
            state = initialState();
        }
        return taken;
    }

    /** Index of the largest probability (first one on ties). */
    public static int argMax(float[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }
}
