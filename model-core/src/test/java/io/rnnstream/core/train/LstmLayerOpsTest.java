package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an LSTM layer keeps between a window's forward and backward pass lives in one buffer per
 * layer: a backward pass whose forward pass another window has since overwritten must fail, not
 * compute gradients from the wrong window. Rows a step leaves out stay out of everything.
 */
class LstmLayerOpsTest {

    @Test
    void aBackwardPassAfterAnotherWindowRanForwardIsRefused() {
        LstmLayerOps layer = layer();
        try (Scratch scratch = new Scratch()) {
            RecurrentLayerOps.Forward first =
                    layer.forward(input(5), layer.zeroState(2), StepRows.all(2, 5), scratch);
            RecurrentLayerOps.Forward second =
                    layer.forward(input(3), layer.zeroState(2), StepRows.all(2, 3), scratch);

            assertThat(layer.backward(second, Nd4j.ones(DataType.FLOAT, 3, 2, 4), false, scratch))
                    .isNull();
            assertThatThrownBy(
                            () ->
                                    layer.backward(
                                            first,
                                            Nd4j.ones(DataType.FLOAT, 5, 2, 4),
                                            false,
                                            scratch))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ran another window forward");
        }
    }

    @Test
    void theEndStateIsTheLastStepsOutputAndCellAndOutlivesTheWindow() {
        LstmLayerOps layer = layer();
        RecurrentLayerOps.Forward forward;
        float[] lastOutput;
        try (Scratch scratch = new Scratch()) {
            forward = layer.forward(input(4), layer.zeroState(2), StepRows.all(2, 4), scratch);
            lastOutput = forward.output().slice(3).dup().data().asFloat();
        }

        assertThat(forward.end().h().data().asFloat()).containsExactly(lastOutput);
        assertThat(forward.end().c().data().asFloat()).hasSize(8).doesNotContain(0f);
    }

    @Test
    void rowsAStepLeavesOutHaveZeroOutputsAZeroEndStateAndZeroGradients() {
        LstmLayerOps layer = layer();
        // Stream 0 runs 4 steps, stream 1 only the first 2.
        StepRows rows = StepRows.of(new float[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4);
        try (Scratch scratch = new Scratch()) {
            RecurrentLayerOps.Forward forward =
                    layer.forward(input(4), layer.zeroState(2), rows, scratch);
            INDArray outputGradient = Nd4j.ones(DataType.FLOAT, 4, 2, 4);
            outputGradient.get(interval(2, 4), point(1), all()).assign(0);
            INDArray inputGradient = layer.backward(forward, outputGradient, true, scratch);

            for (int t = 0; t < 4; t++) {
                assertThat(forward.output().get(point(t), point(0), all()).dup().data().asFloat())
                        .doesNotContain(0f);
                float[] second =
                        forward.output().get(point(t), point(1), all()).dup().data().asFloat();
                float[] secondGradient =
                        inputGradient.get(point(t), point(1), all()).dup().data().asFloat();
                if (t < 2) {
                    assertThat(second).doesNotContain(0f);
                    assertThat(secondGradient).doesNotContain(0f);
                } else {
                    assertThat(second).containsOnly(0f);
                    assertThat(secondGradient).containsOnly(0f);
                }
            }
            assertThat(forward.end().h().getRow(1).dup().data().asFloat()).containsOnly(0f);
            assertThat(forward.end().c().getRow(1).dup().data().asFloat()).containsOnly(0f);
            assertThat(forward.end().h().getRow(0).dup().data().asFloat()).doesNotContain(0f);
        }
    }

    private static LstmLayerOps layer() {
        ModelSpec spec =
                new ModelSpec(CellType.LSTM, 1, 4, InputKind.FEATURES, 3, 0, List.of("a", "b"));
        TrainingOptions options = TrainingOptions.builder().hiddenSize(4).seed(5).build();
        MultiLayerNetwork network = NetworkFactory.create(spec, options);
        network.initGradientsView();
        Layer lstm = network.getLayer(0);
        return new LstmLayerOps(
                NetworkParameter.of(lstm, "W"),
                NetworkParameter.of(lstm, "RW"),
                NetworkParameter.of(lstm, "b"));
    }

    /** {@code [steps, 2, 3]} of distinct non-zero values. */
    private static INDArray input(int steps) {
        return Nd4j.linspace(DataType.FLOAT, 0.1, 0.05, steps * 2 * 3).reshape('c', steps, 2, 3);
    }
}
