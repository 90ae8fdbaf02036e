package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward and backward pass of one recurrent layer over a window of steps, time-major: inputs
 * {@code [steps, batch, in]}, outputs {@code [steps, batch, hidden]}. The state entering the window
 * is a constant: the backward pass returns no gradient for it, which is where truncated BPTT cuts
 * the graph.
 */
interface RecurrentLayerOps {

    /**
     * What the backward pass needs of a forward pass, and the state it ends in; {@code kept} is
     * whatever else the layer keeps of the window for its backward pass (null if nothing), read
     * only by the layer that made it; {@code rows} the rows each step computed.
     */
    record Forward(
            INDArray input,
            LayerState start,
            INDArray output,
            LayerState end,
            StepRows rows,
            Object kept) {}

    /** A zero state for {@code batch} streams. */
    LayerState zeroState(long batch);

    /**
     * Runs the window forward from {@code start}, computing at each step the rows {@code rows}
     * names; the other rows of the output are zero, and their end state is zero.
     */
    Forward forward(INDArray input, LayerState start, StepRows rows, Scratch scratch);

    /**
     * Back-propagates {@code outputGradient} ({@code [steps, batch, hidden]}) through the window,
     * writes the parameter gradients into the network's gradient views, and returns the gradient
     * with respect to the input if {@code inputGradient} asks for it (null otherwise: the first
     * layer of a network on feature input has nothing to pass it to). The rows the forward pass
     * left out must have a zero output gradient; they get zero gradients throughout.
     */
    INDArray backward(
            Forward forward, INDArray outputGradient, boolean inputGradient, Scratch scratch);
}
