package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The truncated-BPTT gradients are exact, in double precision, against three references that share
 * no code with the trainer: DL4J's own full BPTT when the window covers the batch, a plain
 * step-by-step implementation ({@link ReferenceRnn}) for windows shorter than the sequences with a
 * carried state and a lead-in, and finite differences of a window's loss.
 */
class TruncatedBpttGradientTest {

    /** Double precision throughout: a wrong gradient is off by many orders more. */
    private static final double RELATIVE_TOLERANCE = 1e-6;

    private static final int INPUTS = 3;
    private static final int HIDDEN = 4;
    private static final int VOCABULARY = 7;
    private static final int BATCH = 3;
    private static final List<String> LABELS = List.of("a", "b", "c");

    static Stream<Arguments> configurations() {
        List<Arguments> all = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (int layers : new int[] {1, 2}) {
                for (Supervision supervision : Supervision.values()) {
                    for (InputKind input : InputKind.values()) {
                        all.add(Arguments.of(cell, layers, supervision, input));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), {2}, {3}")
    @MethodSource("configurations")
    void aWindowCoveringTheBatchGivesDl4jsFullBpttGradient(
            CellType cell, int layers, Supervision supervision, InputKind input) {
        Setup setup = new Setup(cell, layers, input, 11);
        DataSet batch = setup.batch(supervision, new int[] {9, 4, 7});
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(setup.network, setup.spec, 0, 0);
        try (Scratch scratch = new Scratch()) {
            fitter.gradient(batch, fitter.zeroState(BATCH), scratch);
        }

        MultiLayerNetwork reference = setup.network.clone();
        reference.setInput(batch.getFeatures().castTo(DataType.DOUBLE));
        reference.setLabels(batch.getLabels().castTo(DataType.DOUBLE));
        reference.setLayerMaskArrays(
                batch.getFeaturesMaskArray().castTo(DataType.DOUBLE),
                batch.getLabelsMaskArray().castTo(DataType.DOUBLE));
        reference.computeGradientAndScore();
        Gradient dl4j = reference.gradient();

        for (Map.Entry<String, INDArray> ours : fitter.gradientViews().entrySet()) {
            double[] expected = flat(dl4j.getGradientFor(ours.getKey()));
            assertThat(relativeDifference(flat(ours.getValue()), expected))
                    .as("gradient %s", ours.getKey())
                    .isLessThan(RELATIVE_TOLERANCE);
            assertThat(maxAbs(expected))
                    .as("gradient %s is not trivially zero", ours.getKey())
                    .isGreaterThan(1e-8);
        }
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), {2}, {3}")
    @MethodSource("configurations")
    void shortWindowsWithACarriedStateAndALeadInMatchTheStepByStepReference(
            CellType cell, int layers, Supervision supervision, InputKind input) {
        Setup setup = new Setup(cell, layers, input, 23);
        // Windows of 5 steps, gradients through the last 3: 13 steps make windows of 5, 5 and 3,
        // the last one shorter than the backward length.
        DataSet batch = setup.batch(supervision, new int[] {13, 8, 11});
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(setup.network, setup.spec, 5, 3);
        ReferenceRnn reference =
                new ReferenceRnn(setup.network, cell, layers, input == InputKind.TOKENS);

        RecurrentState state = fitter.zeroState(BATCH);
        double[][][] h = new double[layers][BATCH][HIDDEN];
        double[][][] c = cell == CellType.LSTM ? new double[layers][BATCH][HIDDEN] : null;
        int windows = 0;
        for (DataSet window : fitter.windows(batch)) {
            int steps = (int) window.getFeatures().size(2);
            ReferenceRnn.WindowResult expected =
                    reference.window(
                            dense(window),
                            tokens(window, input),
                            labels(window),
                            h,
                            c,
                            Math.max(0, steps - 3));
            try (Scratch scratch = new Scratch()) {
                TruncatedBpttFitter.WindowResult ours = fitter.gradient(window, state, scratch);
                if (ours.updated()) {
                    compare(fitter.gradientViews(), expected.gradients());
                }
                state = ours.end();
            }
            assertThat(maxAbs(flat(state.layers().get(layers - 1).h())))
                    .as("the state carried out of window %d", windows)
                    .isGreaterThan(1e-3);
            h = expected.endH();
            c = expected.endC();
            windows++;
        }
        assertThat(windows).isEqualTo(3);
    }

    @Test
    void gradientsAgreeWithFiniteDifferencesOfAWindowsLossFromItsCarriedState() {
        for (CellType cell : CellType.values()) {
            Setup setup = new Setup(cell, 2, InputKind.FEATURES, 5);
            DataSet batch = setup.batch(Supervision.EVERY_STEP, new int[] {8, 6, 8});
            TruncatedBpttFitter fitter = new TruncatedBpttFitter(setup.network, setup.spec, 4, 0);
            List<DataSet> windows = fitter.windows(batch);
            ReferenceRnn.WindowResult first;
            ReferenceRnn reference = new ReferenceRnn(setup.network, cell, 2, false);
            double[][][] zero = new double[2][BATCH][HIDDEN];
            first =
                    reference.window(
                            dense(windows.get(0)),
                            null,
                            labels(windows.get(0)),
                            zero,
                            cell == CellType.LSTM ? zero : null,
                            0);
            RecurrentState state;
            try (Scratch scratch = new Scratch()) {
                state = fitter.gradient(windows.get(0), fitter.zeroState(BATCH), scratch).end();
            }
            DataSet second = windows.get(1);
            try (Scratch scratch = new Scratch()) {
                fitter.gradient(second, state, scratch);
            }
            double epsilon = 1e-6;
            int checked = 0;
            for (Map.Entry<String, INDArray> entry : fitter.gradientViews().entrySet()) {
                INDArray parameter = setup.network.getParam(entry.getKey());
                INDArray analytic = entry.getValue();
                for (long i = 0; i < parameter.length(); i++) {
                    long[] at = Shape.ind2subC(parameter.shape(), i);
                    double original = parameter.getDouble(at);
                    parameter.putScalar(at, original + epsilon);
                    double plus = loss(setup, cell, second, first);
                    parameter.putScalar(at, original - epsilon);
                    double minus = loss(setup, cell, second, first);
                    parameter.putScalar(at, original);
                    double numeric = (plus - minus) / (2 * epsilon);
                    assertThat(Math.abs(numeric - analytic.getDouble(at)))
                            .as("%s %s%s", cell, entry.getKey(), java.util.Arrays.toString(at))
                            .isLessThan(1e-6 + 1e-5 * Math.abs(numeric));
                    checked++;
                }
            }
            assertThat(checked).as("every parameter").isEqualTo(setup.network.numParams());
        }
    }

    /**
     * The loss of {@code window} from the state {@code previous} ended in, at the network's
     * parameters.
     */
    private static double loss(
            Setup setup, CellType cell, DataSet window, ReferenceRnn.WindowResult previous) {
        return new ReferenceRnn(setup.network, cell, 2, false)
                .window(dense(window), null, labels(window), previous.endH(), previous.endC(), 0)
                .loss();
    }

    static void compare(Map<String, INDArray> ours, Map<String, double[][]> expected) {
        assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, INDArray> entry : ours.entrySet()) {
            double[] reference = flat(expected.get(entry.getKey()));
            assertThat(relativeDifference(flat(entry.getValue()), reference))
                    .as("gradient %s", entry.getKey())
                    .isLessThan(RELATIVE_TOLERANCE);
        }
    }

    /**
     * The largest entry-wise difference, relative to the largest entry of the reference; both, and
     * the largest so far, go to the test's output for the record.
     */
    static double relativeDifference(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double difference = 0;
        for (int i = 0; i < actual.length; i++) {
            difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
        }
        double scale = maxAbs(expected);
        double relative = scale == 0 ? difference : difference / scale;
        largestAbsolute = Math.max(largestAbsolute, difference);
        largestRelative = Math.max(largestRelative, relative);
        return relative;
    }

    private static double largestAbsolute;
    private static double largestRelative;

    @AfterAll
    static void reportAgreement() {
        System.out.printf(
                "gradient agreement: largest absolute difference %.3g, largest relative %.3g%n",
                largestAbsolute, largestRelative);
    }

    static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    static double[] flat(INDArray array) {
        return array.dup('c').data().asDouble();
    }

    private static double[] flat(double[][] matrix) {
        return Stream.of(matrix).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** Window features as {@code [step][stream][feature]}. */
    static double[][][] dense(DataSet window) {
        INDArray f = window.getFeatures();
        int steps = (int) f.size(2);
        double[][][] x = new double[steps][(int) f.size(0)][(int) f.size(1)];
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < f.size(0); n++) {
                for (int i = 0; i < f.size(1); i++) {
                    x[t][n][i] = f.getDouble(n, i, t);
                }
            }
        }
        return x;
    }

    static int[][] tokens(DataSet window, InputKind input) {
        if (input != InputKind.TOKENS) {
            return null;
        }
        INDArray f = window.getFeatures();
        int[][] ids = new int[(int) f.size(2)][(int) f.size(0)];
        for (int t = 0; t < ids.length; t++) {
            for (int n = 0; n < f.size(0); n++) {
                ids[t][n] = (int) f.getDouble(n, 0, t);
            }
        }
        return ids;
    }

    /** The label per {@code [step][stream]}, -1 where the mask says no loss. */
    static int[][] labels(DataSet window) {
        INDArray l = window.getLabels();
        INDArray mask = window.getLabelsMaskArray();
        int[][] labels = new int[(int) l.size(2)][(int) l.size(0)];
        for (int t = 0; t < labels.length; t++) {
            for (int n = 0; n < l.size(0); n++) {
                labels[t][n] = -1;
                if (mask.getDouble(n, t) > 0) {
                    for (int k = 0; k < l.size(1); k++) {
                        if (l.getDouble(n, k, t) > 0) {
                            labels[t][n] = k;
                        }
                    }
                }
            }
        }
        return labels;
    }

    /** A small double-precision network and random sequences for it. */
    private static final class Setup {
        final ModelSpec spec;
        final MultiLayerNetwork network;
        final InputKind input;
        final Random random;

        Setup(CellType cell, int layers, InputKind input, long seed) {
            this.input = input;
            this.random = new Random(seed);
            boolean tokens = input == InputKind.TOKENS;
            this.spec =
                    new ModelSpec(
                            cell,
                            layers,
                            HIDDEN,
                            input,
                            tokens ? VOCABULARY : INPUTS,
                            tokens ? 5 : 0,
                            LABELS);
            TrainingOptions options =
                    TrainingOptions.builder()
                            .cell(cell)
                            .layers(layers)
                            .hiddenSize(HIDDEN)
                            .embeddingSize(5)
                            .seed(seed)
                            .build();
            this.network = NetworkFactory.create(spec, options, DataType.DOUBLE);
            // Non-zero biases everywhere, so that no gradient is zero by construction.
            Nd4j.getRandom().setSeed(seed);
            INDArray params = network.params();
            params.addi(Nd4j.rand(DataType.DOUBLE, params.shape()).subi(0.5).muli(0.4));
        }

        DataSet batch(Supervision supervision, int[] lengths) {
            List<EncodedSequence> sequences = new ArrayList<>();
            for (int length : lengths) {
                float[][] features = null;
                int[] ids = null;
                if (input == InputKind.TOKENS) {
                    ids = new int[length];
                    for (int t = 0; t < length; t++) {
                        ids[t] = random.nextInt(VOCABULARY);
                    }
                } else {
                    features = new float[length][INPUTS];
                    for (float[] step : features) {
                        for (int i = 0; i < INPUTS; i++) {
                            step[i] = (float) random.nextGaussian();
                        }
                    }
                }
                sequences.add(new EncodedSequence(features, ids, random.nextInt(LABELS.size())));
            }
            return BatchBuilder.build(sequences, INPUTS, LABELS.size(), supervision);
        }
    }
}
