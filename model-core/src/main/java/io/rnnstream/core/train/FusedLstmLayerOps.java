package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An LSTM layer's window, forward and backward, each in one native call: libnd4j's fused {@code
 * lstmLayer} and {@code lstmLayer_bp} ops, given the carried state as their initial hidden and cell
 * state. The ops order the gate blocks [input gate, forget, candidate, output]; {@link
 * NetworkParameter} reorders DL4J's weights into that order and the gradients back.
 */
final class FusedLstmLayerOps extends LayerOpsBase {

    /**
     * Data format 0 (time-major, {@code [steps, batch, features]}), direction 0 (forward), gate
     * activation 2 (sigmoid), cell and output activation 0 (tanh): DL4J's {@code LSTM} layer.
     */
    private static final int[] INTEGER_ARGUMENTS = {0, 0, 2, 0, 0};

    /** Cell clipping: 0, none. */
    private static final Double CELL_CLIP = 0.0;

    /**
     * Forward flags: biases, no sequence lengths (padding follows each sequence's last step, so it
     * cannot change what the loss reads), initial h and c, no peepholes; outputs: every step's h,
     * and h and c at the last step (the state carried to the next window).
     */
    private static final boolean[] FORWARD_FLAGS = {
        true, false, true, true, false, true, true, true
    };

    /**
     * Backward flags: as forward, with only the gradient of every step's h given (the carried
     * state's gradient stops at the window's end).
     */
    private static final boolean[] BACKWARD_FLAGS = {
        true, false, true, true, false, true, false, false
    };

    private INDArray[] weights;

    FusedLstmLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, true);
    }

    @Override
    public void prepare(Scratch scratch) {
        weights =
                new INDArray[] {
                    scratch.add(opOrder(input.value(), true)),
                    scratch.add(opOrder(recurrent.value(), true)),
                    scratch.add(opOrder(bias.value(), true)).reshape(4L * hidden)
                };
    }

    @Override
    public Forward forward(INDArray x, LayerState start, Scratch scratch) {
        INDArray[] out = Nd4j.exec(op("lstmLayer", FORWARD_FLAGS, x, start, null));
        scratch.add(out[0]);
        return new Forward(x, start, out[0], new LayerState(out[1], out[2]));
    }

    @Override
    public INDArray backward(Forward forward, INDArray outputGradient, Scratch scratch) {
        INDArray[] gradients =
                Nd4j.exec(
                        op(
                                "lstmLayer_bp",
                                BACKWARD_FLAGS,
                                forward.input(),
                                forward.start(),
                                outputGradient));
        scratch.addAll(gradients);
        input.setGradient(scratch.add(opOrder(gradients[1], false)));
        recurrent.setGradient(scratch.add(opOrder(gradients[2], false)));
        bias.setGradient(
                scratch.add(opOrder(gradients[3].reshape(bias.gradient().shape()), false)));
        return gradients[0];
    }

    private DynamicCustomOp op(
            String name, boolean[] flags, INDArray x, LayerState start, INDArray outputGradient) {
        INDArray[] inputs =
                outputGradient == null
                        ? new INDArray[] {
                            x, weights[0], weights[1], weights[2], start.h(), start.c()
                        }
                        : new INDArray[] {
                            x,
                            weights[0],
                            weights[1],
                            weights[2],
                            start.h(),
                            start.c(),
                            outputGradient
                        };
        // One addInputs call: a second one replaces the first's inputs.
        return DynamicCustomOp.builder(name)
                .addInputs(inputs)
                .addIntegerArguments(INTEGER_ARGUMENTS)
                .addFloatingPointArguments(CELL_CLIP)
                .addBooleanArguments(flags)
                .build();
    }

    /**
     * A c-order copy of {@code matrix} with its four gate blocks (column blocks of the hidden size)
     * moved from DL4J's order into the ops' order, or back.
     */
    private INDArray opOrder(INDArray matrix, boolean fromDl4j) {
        INDArray from = matrix.rank() == 1 ? matrix.reshape(1, matrix.length()) : matrix;
        INDArray to = Nd4j.createUninitialized(from.dataType(), from.shape());
        for (int block = 0; block < 4; block++) {
            INDArrayIndex opColumns = NDArrayIndex.interval(block * hidden, (block + 1) * hidden);
            int dl4j = ServingExport.LSTM_BLOCK_FROM_DL4J[block] * hidden;
            INDArrayIndex dl4jColumns = NDArrayIndex.interval(dl4j, dl4j + hidden);
            INDArrayIndex rows = NDArrayIndex.all();
            to.get(rows, fromDl4j ? opColumns : dl4jColumns)
                    .assign(from.get(rows, fromDl4j ? dl4jColumns : opColumns));
        }
        return to;
    }
}
