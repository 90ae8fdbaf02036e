package io.rnnstream.core.train;

import org.nd4j.linalg.factory.Nd4j;

/**
 * What every recurrent layer implementation holds: the layer's parameters in DL4J's layout, each
 * with its gradient view (input weights {@code W [in, gates * hidden]}, recurrent weights {@code RW
 * [hidden, gates * hidden]}, bias), and whether its state has a cell part.
 */
abstract class LayerOpsBase implements RecurrentLayerOps {

    final NetworkParameter input;
    final NetworkParameter recurrent;
    final NetworkParameter bias;
    final int hidden;
    private final boolean withCell;

    LayerOpsBase(
            NetworkParameter input,
            NetworkParameter recurrent,
            NetworkParameter bias,
            boolean withCell) {
        this.input = input;
        this.recurrent = recurrent;
        this.bias = bias;
        this.hidden = (int) recurrent.value().size(0);
        this.withCell = withCell;
    }

    @Override
    public LayerState zeroState(long batch) {
        return new LayerState(
                Nd4j.zeros(recurrent.value().dataType(), batch, hidden),
                withCell ? Nd4j.zeros(recurrent.value().dataType(), batch, hidden) : null);
    }
}
