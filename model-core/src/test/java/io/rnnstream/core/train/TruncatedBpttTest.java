package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Truncated BPTT truncates where it should and nowhere else. Two sequences whose only non-zero
 * input is at the first step, with the loss at the last: in the last window the inputs are all zero
 * but the carried state is not, so the recurrent weights get a gradient from that state (DL4J
 * 1.0.0-M2.1's own truncated BPTT recomputed each window from a zero state and gave them none),
 * while the input weights get none (the impulse lies behind the window boundary).
 */
class TruncatedBpttTest {

    private static final int STEPS = 20;
    private static final int WINDOW = 5;
    private static final int INPUTS = 2;
    private static final int HIDDEN = 3;
    private static final List<String> LABELS = List.of("a", "b");

    /** Two sequences with different labels whose only non-zero input is at t = 0. */
    private static final List<EncodedSequence> IMPULSES =
            List.of(impulse(new float[] {1f, -0.5f}, 0), impulse(new float[] {-0.8f, 1.2f}, 1));

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aWindowOfZeroInputsStillTrainsTheRecurrentWeightsFromTheCarriedState(CellType cell) {
        MultiLayerNetwork network = network(cell);
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec(cell), WINDOW, 0);
        List<DataSet> windows = fitter.windows(batch(Supervision.LAST_STEP));
        assertThat(windows).hasSize(STEPS / WINDOW);

        RecurrentState state = fitter.zeroState(IMPULSES.size());
        for (DataSet window : windows.subList(0, windows.size() - 1)) {
            try (Scratch scratch = new Scratch()) {
                TruncatedBpttFitter.WindowResult result = fitter.gradient(window, state, scratch);
                assertThat(result.updated()).as("no loss before the last window").isFalse();
                state = result.end();
            }
        }
        DataSet last = windows.get(windows.size() - 1);
        assertThat(last.getFeatures().amaxNumber().doubleValue()).isZero();
        assertThat(state.layers().get(0).h().amaxNumber().doubleValue())
                .as("state entering the last window")
                .isGreaterThan(1e-4);
        try (Scratch scratch = new Scratch()) {
            assertThat(fitter.gradient(last, state, scratch).updated()).isTrue();
        }

        assertThat(maxAbs(fitter.gradientViews().get("0_RW")))
                .as("recurrent weights' gradient")
                .isGreaterThan(1e-4);
        assertThat(maxAbs(fitter.gradientViews().get("0_W")))
                .as("input weights' gradient: the impulse is behind the window boundary")
                .isZero();
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void aWindowCoveringTheSequenceCarriesTheImpulseToTheInputWeights(CellType cell) {
        MultiLayerNetwork network = network(cell);
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec(cell), 0, 0);

        try (Scratch scratch = new Scratch()) {
            fitter.gradient(batch(Supervision.LAST_STEP), fitter.zeroState(2), scratch);
        }

        assertThat(maxAbs(fitter.gradientViews().get("0_W"))).isGreaterThan(1e-6);
    }

    @ParameterizedTest
    @EnumSource(CellType.class)
    void everyStepLossUpdatesOnceForEachWindow(CellType cell) {
        MultiLayerNetwork network = network(cell);
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec(cell), WINDOW, 0);
        INDArray before = network.getParam("0_W").dup();

        fitter.fit(batch(Supervision.EVERY_STEP));

        assertThat(network.getIterationCount()).isEqualTo(STEPS / WINDOW);
        assertThat(network.getParam("0_W")).isNotEqualTo(before);
    }

    @Test
    void lastStepLossUpdatesOnlyInTheWindowHoldingTheLastStep() {
        MultiLayerNetwork network = network(CellType.LSTM);
        TruncatedBpttFitter fitter =
                new TruncatedBpttFitter(network, spec(CellType.LSTM), WINDOW, 0);

        fitter.fit(batch(Supervision.LAST_STEP));

        assertThat(network.getIterationCount()).isEqualTo(1);
    }

    @Test
    void batchesPutTheLastStepLabelAtEachSequencesOwnEnd() {
        List<EncodedSequence> ragged =
                List.of(
                        new EncodedSequence(new float[3][INPUTS], null, 1),
                        new EncodedSequence(new float[5][INPUTS], null, 0));

        DataSet batch = BatchBuilder.build(ragged, INPUTS, LABELS.size(), Supervision.LAST_STEP);

        assertThat(batch.getLabelsMaskArray().toFloatMatrix())
                .isDeepEqualTo(new float[][] {{0, 0, 1, 0, 0}, {0, 0, 0, 0, 1}});
        assertThat(batch.getFeaturesMaskArray().toFloatMatrix())
                .isDeepEqualTo(new float[][] {{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}});
        assertThat(batch.getLabels().getFloat(0, 1, 2)).isEqualTo(1f);
        assertThat(batch.getLabels().getFloat(1, 0, 4)).isEqualTo(1f);
        assertThat(batch.getLabels().sumNumber().intValue()).isEqualTo(2);
    }

    private static DataSet batch(Supervision supervision) {
        return BatchBuilder.build(IMPULSES, INPUTS, LABELS.size(), supervision);
    }

    private static EncodedSequence impulse(float[] first, int label) {
        float[][] features = new float[STEPS][INPUTS];
        features[0] = first;
        return new EncodedSequence(features, null, label);
    }

    private static ModelSpec spec(CellType cell) {
        return new ModelSpec(cell, 1, HIDDEN, InputKind.FEATURES, INPUTS, 0, LABELS);
    }

    private static MultiLayerNetwork network(CellType cell) {
        TrainingOptions options =
                TrainingOptions.builder().cell(cell).hiddenSize(HIDDEN).seed(12345).build();
        return NetworkFactory.create(spec(cell), options);
    }

    private static double maxAbs(INDArray array) {
        return array.amaxNumber().doubleValue();
    }
}
