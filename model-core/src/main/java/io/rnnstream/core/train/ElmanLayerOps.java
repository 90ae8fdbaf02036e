package io.rnnstream.core.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An Elman layer's window, {@code h_t = tanh(x_t W + h_{t-1} R + b)} as DL4J's {@code SimpleRnn}
 * computes it, forward and backward on ND4J arrays. libnd4j has no fused Elman op with a backward
 * pass, so the work is batched instead: the input projection of every step of the window, and the
 * input and recurrent weight gradients, are one matrix product each over the whole window; only the
 * recurrence itself (one product and one activation per step) goes step by step, writing in place
 * into the window's output.
 */
final class ElmanLayerOps extends LayerOpsBase {

    ElmanLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, false);
    }

    @Override
    public Forward forward(INDArray x, LayerState start, Scratch scratch) {
        long steps = x.size(0);
        long batch = x.size(1);
        INDArray output =
                scratch.add(
                                x.reshape('c', steps * batch, x.size(2))
                                        .mmul(input.value())
                                        .addiRowVector(bias.value()))
                        .reshape('c', steps, batch, hidden);
        INDArray previous = start.h();
        for (int t = 0; t < steps; t++) {
            INDArray step = output.slice(t);
            Nd4j.gemm(previous, recurrent.value(), step, false, false, 1.0, 1.0);
            Transforms.tanh(step, false);
            previous = step;
        }
        return new Forward(x, start, output, new LayerState(previous.dup('c'), null));
    }

    @Override
    public INDArray backward(Forward forward, INDArray outputGradient, Scratch scratch) {
        INDArray output = forward.output();
        long steps = output.size(0);
        long batch = output.size(1);
        // tanh' = 1 - h^2, for every step at once.
        INDArray derivative = scratch.add(output.mul(output)).rsubi(1.0);
        // Turns the output gradient, in place, into the gradient of each step's pre-activation.
        INDArray delta = scratch.add(outputGradient.dup('c'));
        for (long t = steps - 1; t >= 0; t--) {
            INDArray step = delta.slice(t);
            if (t < steps - 1) {
                Nd4j.gemm(delta.slice(t + 1), recurrent.value(), step, false, true, 1.0, 1.0);
            }
            step.muli(derivative.slice(t));
        }
        INDArray delta2d = delta.reshape('c', steps * batch, hidden);
        INDArray x2d = forward.input().reshape('c', steps * batch, forward.input().size(2));
        input.setGradient(scratch.add(x2d.transpose().mmul(delta2d)));
        bias.setGradient(scratch.add(delta2d.sum(0)));
        // The recurrent gradient pairs each step's delta with the state before it: the carried-in
        // state for the first step, the window's own outputs after that.
        INDArray recurrentGradient = scratch.add(start(forward).transpose().mmul(delta.slice(0)));
        if (steps > 1) {
            INDArray before =
                    output.get(interval(0, steps - 1), all(), all())
                            .reshape('c', (steps - 1) * batch, hidden);
            INDArray after =
                    delta.get(interval(1, steps), all(), all())
                            .reshape('c', (steps - 1) * batch, hidden);
            recurrentGradient.addi(scratch.add(before.transpose().mmul(after)));
        }
        recurrent.setGradient(recurrentGradient);
        return scratch.add(delta2d.mmul(input.value().transpose()))
                .reshape('c', steps, batch, input.value().size(0));
    }

    private static INDArray start(Forward forward) {
        return forward.start().h();
    }
}
