package io.rnnstream.core.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * An LSTM layer's window, forward and backward, as DL4J's {@code LSTM} layer computes it (sigmoid
 * gates, tanh cell input and output, no peepholes), on ND4J arrays in DL4J's own parameter layout:
 * gate blocks [cell input g, forget f, output o, input gate i] in the columns of {@code W}, {@code
 * RW} and {@code b}.
 *
 * <p>Inside the window the arrays are kept transposed, units by streams ({@code [steps, 4 hidden,
 * batch]} for the gates, {@code [steps, hidden, batch]} for cell states), so that each step's gate
 * block is one contiguous piece of memory: ND4J's element-wise operations run several times faster
 * on contiguous arrays than on strided views. The input projection of every step and the input,
 * recurrent and bias gradients are one matrix product each over the whole window; what must go step
 * by step is one matrix product (the recurrent term) and a few element-wise operations per step,
 * written in place. The forward pass keeps every step's gates and cell state, so the backward pass
 * does not recompute them.
 *
 * <p>libnd4j's fused {@code lstmLayer_bp} op would compute the same gradients in one call, and is
 * faster for small layers, but in 1.0.0-M2.1 it leaks native memory on every call, so that a
 * training run grows without bound.
 */
final class LstmLayerOps extends LayerOpsBase {

    LstmLayerOps(NetworkParameter input, NetworkParameter recurrent, NetworkParameter bias) {
        super(input, recurrent, bias, true);
    }

    @Override
    public Forward forward(INDArray x, LayerState start, Scratch scratch) {
        long steps = x.size(0);
        long batch = x.size(1);
        long h = hidden;
        // Every step's gate pre-activations from the input, then activated in place step by step.
        INDArray projection =
                scratch.add(
                        x.reshape('c', steps * batch, x.size(2))
                                .mmul(input.value())
                                .addiRowVector(bias.value()));
        INDArray gates =
                scratch.add(projection.reshape('c', steps, batch, 4 * h).permute(0, 2, 1).dup('c'));
        INDArray cells = scratch.add(Nd4j.createUninitialized(x.dataType(), steps, h, batch));
        INDArray cellTanh = scratch.add(Nd4j.createUninitialized(x.dataType(), steps, h, batch));
        INDArray outputs = scratch.add(Nd4j.createUninitialized(x.dataType(), steps, h, batch));
        INDArray product = scratch.add(Nd4j.createUninitialized(x.dataType(), h, batch));
        INDArray hPrevious = scratch.add(start.h().transpose().dup('c'));
        INDArray cPrevious = scratch.add(start.c().transpose().dup('c'));
        for (int t = 0; t < steps; t++) {
            INDArray z = gates.slice(t);
            Nd4j.gemm(recurrent.value(), hPrevious, z, true, false, 1.0, 1.0);
            Transforms.tanh(rows(z, 0, 1), false);
            Transforms.sigmoid(rows(z, 1, 4), false);
            INDArray c = cells.slice(t);
            Nd4j.exec(new MulOp(rows(z, 1, 2), cPrevious, c));
            Nd4j.exec(new MulOp(rows(z, 3, 4), rows(z, 0, 1), product));
            c.addi(product);
            INDArray tc = cellTanh.slice(t);
            Nd4j.exec(new Tanh(c, tc));
            INDArray out = outputs.slice(t);
            Nd4j.exec(new MulOp(rows(z, 2, 3), tc, out));
            hPrevious = out;
            cPrevious = c;
        }
        INDArray output = scratch.add(outputs.permute(0, 2, 1).dup('c'));
        // Kept for the backward pass: every step's gates, cell state and its tanh.
        return new Forward(
                x,
                start,
                output,
                new LayerState(hPrevious.transpose().dup('c'), cPrevious.transpose().dup('c')),
                gates,
                cells,
                cellTanh);
    }

    @Override
    public INDArray backward(Forward forward, INDArray outputGradient, Scratch scratch) {
        INDArray gates = forward.kept()[0];
        INDArray cells = forward.kept()[1];
        INDArray cellTanh = forward.kept()[2];
        long steps = gates.size(0);
        long batch = gates.size(2);
        long h = hidden;
        // Derivative factors of every step at once, on whole contiguous arrays: s(1-s) of the
        // sigmoid gates (the g rows hold a value that is not used), 1 - g^2 (the other rows
        // likewise), 1 - tanh(c)^2.
        INDArray sigmoidDerivative = scratch.add(gates.dup('c'));
        Nd4j.exec(new TimesOneMinus(sigmoidDerivative, sigmoidDerivative));
        INDArray candidateDerivative = scratch.add(gates.mul(gates)).rsubi(1.0);
        INDArray cellDerivative = scratch.add(cellTanh.mul(cellTanh)).rsubi(1.0);

        INDArray delta =
                scratch.add(Nd4j.createUninitialized(gates.dataType(), steps, 4 * h, batch));
        INDArray dh = scratch.add(outputGradient.permute(0, 2, 1).dup('c'));
        INDArray dc = scratch.add(Nd4j.createUninitialized(gates.dataType(), h, batch));
        INDArray dcNext = scratch.add(Nd4j.zeros(gates.dataType(), h, batch));
        INDArray cStart = scratch.add(forward.start().c().transpose().dup('c'));
        for (long t = steps - 1; t >= 0; t--) {
            INDArray dhT = dh.slice(t);
            INDArray dz = delta.slice(t);
            INDArray a = gates.slice(t);
            INDArray sd = sigmoidDerivative.slice(t);
            if (t < steps - 1) {
                Nd4j.gemm(recurrent.value(), delta.slice(t + 1), dhT, false, false, 1.0, 1.0);
            }
            INDArray tc = cellTanh.slice(t);
            // Output gate: dh * tanh(c) * o(1-o).
            INDArray dOutput = rows(dz, 2, 3);
            Nd4j.exec(new MulOp(dhT, tc, dOutput));
            dOutput.muli(rows(sd, 2, 3));
            // Cell: dh * o * (1 - tanh(c)^2), plus what flows back from the next step.
            Nd4j.exec(new MulOp(dhT, rows(a, 2, 3), dc));
            dc.muli(cellDerivative.slice(t)).addi(dcNext);
            INDArray dInput = rows(dz, 3, 4);
            Nd4j.exec(new MulOp(dc, rows(a, 0, 1), dInput));
            dInput.muli(rows(sd, 3, 4));
            INDArray dForget = rows(dz, 1, 2);
            Nd4j.exec(new MulOp(dc, t == 0 ? cStart : cells.slice(t - 1), dForget));
            dForget.muli(rows(sd, 1, 2));
            INDArray dCandidate = rows(dz, 0, 1);
            Nd4j.exec(new MulOp(dc, rows(a, 3, 4), dCandidate));
            dCandidate.muli(rows(candidateDerivative.slice(t), 0, 1));
            Nd4j.exec(new MulOp(dc, rows(a, 1, 2), dcNext));
        }

        INDArray delta2d =
                scratch.add(delta.permute(0, 2, 1).dup('c')).reshape('c', steps * batch, 4 * h);
        INDArray x = forward.input();
        INDArray x2d = x.reshape('c', steps * batch, x.size(2));
        input.setGradient(scratch.add(x2d.transpose().mmul(delta2d)));
        bias.setGradient(scratch.add(delta2d.sum(0)));
        // Each step's delta pairs with the state before it: the carried-in one, then the window's.
        INDArray recurrentGradient =
                scratch.add(
                        forward.start()
                                .h()
                                .transpose()
                                .mmul(delta2d.get(interval(0, batch), all())));
        if (steps > 1) {
            INDArray before =
                    forward.output()
                            .get(interval(0, steps - 1), all(), all())
                            .reshape('c', (steps - 1) * batch, h);
            INDArray after = delta2d.get(interval(batch, steps * batch), all());
            recurrentGradient.addi(scratch.add(before.transpose().mmul(after)));
        }
        recurrent.setGradient(recurrentGradient);
        return scratch.add(delta2d.mmul(input.value().transpose()))
                .reshape('c', steps, batch, x.size(2));
    }

    /** Gate blocks {@code from} to {@code to} (0 g, 1 f, 2 o, 3 i) of one step, contiguous rows. */
    private INDArray rows(INDArray step, int from, int to) {
        return step.get(interval((long) from * hidden, (long) to * hidden), all());
    }
}
