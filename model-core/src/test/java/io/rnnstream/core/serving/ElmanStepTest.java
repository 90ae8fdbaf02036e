package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The serving step against examples worked out by hand, independently of DL4J: if the weight layout
 * (row-major {@code [in, width]}), the gate order or the softmax drifts, these fail, on both kernel
 * paths.
 */
class ElmanStepTest {

    private static final double TOLERANCE = 1e-6;

    /** Mean 0, std 1: the step sees the raw input. */
    private static final FeatureNormalizer IDENTITY =
            new FeatureNormalizer(new float[] {0f, 0f}, new float[] {1f, 1f});

    // Elman fixture: 2 inputs, 2 hidden units, 2 classes. Asymmetric on purpose, so that a
    // transposed matrix gives different numbers.
    // W_xh[i][j] (input i -> hidden j), stored row-major [input, hidden]
    private static final float[] ELMAN_INPUT = {0.5f, -0.3f, 0.2f, 0.8f};
    // W_hh[k][j] (previous hidden k -> hidden j), row-major [hidden, hidden]
    private static final float[] ELMAN_RECURRENT = {0.1f, 0.4f, -0.6f, 0.3f};
    private static final float[] ELMAN_BIAS = {0.05f, -0.1f};
    // W_hy[j][c] (hidden j -> class c), row-major [hidden, classes]
    private static final float[] OUTPUT = {1.0f, -1.0f, 0.5f, 2.0f};
    private static final float[] OUTPUT_BIAS = {0.2f, -0.2f};

    private static final float[] X1 = {1.0f, 2.0f};
    private static final float[] X2 = {-1.0f, 0.5f};

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void elmanStepsMatchHandComputedHiddenStatesAndSoftmax(ServingPath path) {
        SequenceClassifier classifier = elmanClassifier().withPath(path);
        Stepper stepper = classifier.newStepper();
        RecurrentState state = classifier.initialState();

        // t = 1, h_0 = 0: z = b + x1 . W_xh
        double z10 = 0.05 + 1.0 * 0.5 + 2.0 * 0.2; // 0.95
        double z11 = -0.1 + 1.0 * -0.3 + 2.0 * 0.8; // 1.2
        double h10 = Math.tanh(z10); // 0.73978
        double h11 = Math.tanh(z11); // 0.83365
        stepper.advance(state, X1);
        assertThat((double) state.values()[0]).isCloseTo(h10, within(TOLERANCE));
        assertThat((double) state.values()[1]).isCloseTo(h11, within(TOLERANCE));

        // t = 2: z = b + x2 . W_xh + h_1 . W_hh
        double z20 = 0.05 + (-1.0 * 0.5 + 0.5 * 0.2) + (h10 * 0.1 + h11 * -0.6);
        double z21 = -0.1 + (-1.0 * -0.3 + 0.5 * 0.8) + (h10 * 0.4 + h11 * 0.3);
        double h20 = Math.tanh(z20);
        double h21 = Math.tanh(z21);
        stepper.advance(state, X2);
        assertThat((double) state.values()[0]).isCloseTo(h20, within(TOLERANCE));
        assertThat((double) state.values()[1]).isCloseTo(h21, within(TOLERANCE));
        assertThat(state.steps()).isEqualTo(2);

        // y = softmax(b_y + h_2 . W_hy)
        double logit0 = 0.2 + h20 * 1.0 + h21 * 0.5;
        double logit1 = -0.2 + h20 * -1.0 + h21 * 2.0;
        double p0 = Math.exp(logit0) / (Math.exp(logit0) + Math.exp(logit1));
        float[] probabilities = stepper.probabilities(state);
        assertThat((double) probabilities[0]).isCloseTo(p0, within(TOLERANCE));
        assertThat((double) probabilities[1]).isCloseTo(1 - p0, within(TOLERANCE));
    }

    @Test
    void classifyFeaturesEqualsSteppingFromTheInitialState() {
        SequenceClassifier classifier = elmanClassifier();
        Stepper stepper = classifier.newStepper();
        RecurrentState state = classifier.initialState();
        stepper.advance(state, X1);
        stepper.advance(state, X2);

        assertThat(classifier.classifyFeatures(new float[][] {X1, X2}))
                .containsExactly(stepper.probabilities(state));
    }

    @Test
    void standardizesRawFeaturesBeforeTheStep() {
        // mean 1, std 2 on input 0 and mean -1, std 4 on input 1 turn raw (3, 7) into X1 = (1, 2)
        FeatureNormalizer normalizer =
                new FeatureNormalizer(new float[] {1f, -1f}, new float[] {2f, 4f});
        SequenceClassifier standardized = new SequenceClassifier(elmanWeights(), normalizer, null);

        assertThat(standardized.classifyFeatures(new float[][] {{3f, 7f}}))
                .containsExactly(elmanClassifier().classifyFeatures(new float[][] {X1}));
    }

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void lstmStepMatchesHandComputedGatesInInputForgetCandidateOutputOrder(ServingPath path) {
        // 2 inputs, 2 hidden units; each matrix row holds 8 columns in blocks of 2:
        //                 i0    i1    f0    f1    g0    g1    o0    o1
        float[] input = {
            0.2f, 0.0f, 0.1f, 0.3f, 0.7f, -0.4f, 0.0f, 0.6f, // from x0
            0.1f, -0.2f, 0.0f, 0.2f, 0.3f, 0.1f, -0.5f, 0.0f // from x1
        };
        float[] recurrent = {
            0.4f, 0.0f, 0.0f, -0.2f, 0.2f, 0.0f, 0.3f, 0.1f, // from h0
            0.0f, 0.8f, 0.4f, 0.0f, 0.0f, -0.6f, 0.0f, 0.2f // from h1
        };
        float[] bias = {0.0f, 0.1f, 1.0f, 0.5f, 0.0f, 0.0f, -0.1f, 0.2f};
        ModelSpec spec =
                new ModelSpec(CellType.LSTM, 1, 2, InputKind.FEATURES, 2, 0, List.of("a", "b"));
        NetworkWeights weights =
                new NetworkWeights(
                        spec,
                        null,
                        List.of(
                                new RecurrentLayerWeights(
                                        CellType.LSTM, 2, 2, input, recurrent, bias)),
                        OUTPUT,
                        OUTPUT_BIAS);
        SequenceClassifier classifier =
                new SequenceClassifier(weights, IDENTITY, null).withPath(path);
        // A non-zero previous state, so that the recurrent weights and the forget gate count.
        // Layout of an LSTM layer's state: h0, h1, c0, c1.
        double hPrev0 = 0.5;
        double hPrev1 = -0.25;
        double cPrev0 = 0.8;
        double cPrev1 = -0.4;
        RecurrentState state = new RecurrentState(new float[] {0.5f, -0.25f, 0.8f, -0.4f}, 7);
        double x0 = 1.0;
        double x1 = -1.0;

        double zI0 = 0.0 + x0 * 0.2 + x1 * 0.1 + hPrev0 * 0.4 + hPrev1 * 0.0; // 0.3
        double zI1 = 0.1 + x0 * 0.0 + x1 * -0.2 + hPrev0 * 0.0 + hPrev1 * 0.8; // 0.1
        double zF0 = 1.0 + x0 * 0.1 + x1 * 0.0 + hPrev0 * 0.0 + hPrev1 * 0.4; // 1.0
        double zF1 = 0.5 + x0 * 0.3 + x1 * 0.2 + hPrev0 * -0.2 + hPrev1 * 0.0; // 0.5
        double zG0 = 0.0 + x0 * 0.7 + x1 * 0.3 + hPrev0 * 0.2 + hPrev1 * 0.0; // 0.5
        double zG1 = 0.0 + x0 * -0.4 + x1 * 0.1 + hPrev0 * 0.0 + hPrev1 * -0.6; // -0.35
        double zO0 = -0.1 + x0 * 0.0 + x1 * -0.5 + hPrev0 * 0.3 + hPrev1 * 0.0; // 0.55
        double zO1 = 0.2 + x0 * 0.6 + x1 * 0.0 + hPrev0 * 0.1 + hPrev1 * 0.2; // 0.8
        // c = f * c_prev + i * g;  h = o * tanh(c)
        double c0 = sigmoid(zF0) * cPrev0 + sigmoid(zI0) * Math.tanh(zG0);
        double c1 = sigmoid(zF1) * cPrev1 + sigmoid(zI1) * Math.tanh(zG1);
        double h0 = sigmoid(zO0) * Math.tanh(c0);
        double h1 = sigmoid(zO1) * Math.tanh(c1);

        Stepper stepper = classifier.newStepper();
        stepper.advance(state, new float[] {(float) x0, (float) x1});

        float[] values = state.values();
        assertThat((double) values[0]).as("h0").isCloseTo(h0, within(TOLERANCE));
        assertThat((double) values[1]).as("h1").isCloseTo(h1, within(TOLERANCE));
        assertThat((double) values[2]).as("c0").isCloseTo(c0, within(TOLERANCE));
        assertThat((double) values[3]).as("c1").isCloseTo(c1, within(TOLERANCE));
        assertThat(state.steps()).isEqualTo(8);

        double logit0 = 0.2 + h0 * 1.0 + h1 * 0.5;
        double logit1 = -0.2 + h0 * -1.0 + h1 * 2.0;
        double p0 = 1 / (1 + Math.exp(logit1 - logit0));
        assertThat((double) stepper.probabilities(state)[0]).isCloseTo(p0, within(TOLERANCE));
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static NetworkWeights elmanWeights() {
        ModelSpec spec =
                new ModelSpec(CellType.ELMAN, 1, 2, InputKind.FEATURES, 2, 0, List.of("a", "b"));
        return new NetworkWeights(
                spec,
                null,
                List.of(
                        new RecurrentLayerWeights(
                                CellType.ELMAN, 2, 2, ELMAN_INPUT, ELMAN_RECURRENT, ELMAN_BIAS)),
                OUTPUT,
                OUTPUT_BIAS);
    }

    private static SequenceClassifier elmanClassifier() {
        return new SequenceClassifier(elmanWeights(), IDENTITY, null);
    }
}
