package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;

/**
 * Chooses the truncated-BPTT window for a training run. A window length in the options is taken as
 * given. Without one ({@code tbpttLength = 0}), full BPTT, the exact gradient, as long as one
 * batch's activations for the longest sequence fit in {@link #ACTIVATION_BUDGET_BYTES}; beyond
 * that, the longest window that fits, so memory stays bounded on arbitrarily long sequences.
 */
public final class WindowPlan {

    /** Activation memory one batch's window may take: a small share of a training JVM's memory. */
    public static final long ACTIVATION_BUDGET_BYTES = 256L << 20;

    /**
     * Bytes a step keeps per sequence, hidden unit and layer for the backward pass. An LSTM keeps
     * its activated gates, cell state and tanh of the cell state on the Java heap in double (six
     * values, {@link LstmWindowValues}) and, in native float arrays, the gate pre-activations, the
     * output, the gate gradients and the output gradient (ten values): a little over half of an
     * LSTM's share of the budget is heap. An Elman layer keeps six floats.
     */
    private static final int LSTM_BYTES_PER_UNIT = 6 * Double.BYTES + 10 * Float.BYTES;

    private static final int ELMAN_BYTES_PER_UNIT = 6 * Float.BYTES;

    private WindowPlan() {}

    /**
     * k1: the window length in steps, or 0 for full BPTT. A given length is kept even where it
     * covers every sequence (the trainer then makes one window per batch, which is full BPTT).
     */
    public static int forwardLength(TrainingOptions options, ModelSpec spec, int longestSequence) {
        if (options.tbpttLength() > 0) {
            return options.tbpttLength();
        }
        long perStep = bytesPerStep(spec, options.batchSize());
        long fits = ACTIVATION_BUDGET_BYTES / perStep;
        return longestSequence <= fits ? 0 : (int) Math.max(1, fits);
    }

    /** k2 for a window of {@code forwardLength} steps: 0 (all of them) for full BPTT. */
    public static int backwardLength(TrainingOptions options, int forwardLength) {
        if (forwardLength == 0 || options.tbpttBackLength() == 0) {
            return 0;
        }
        return Math.min(forwardLength, options.tbpttBackLength());
    }

    /**
     * Sequences a forward-only pass (scoring a validation split) may run at once over {@code steps}
     * steps: {@code preferred}, or fewer (at least one) where their activations would exceed the
     * budget.
     */
    public static int evaluationBatch(ModelSpec spec, int steps, int preferred) {
        long perSequence = bytesPerStep(spec, 1) * Math.max(1, steps);
        return (int) Math.max(1, Math.min(preferred, ACTIVATION_BUDGET_BYTES / perSequence));
    }

    /** Activation bytes one step of one batch takes across the network's layers. */
    static long bytesPerStep(ModelSpec spec, int batchSize) {
        int perUnit = spec.cell() == CellType.LSTM ? LSTM_BYTES_PER_UNIT : ELMAN_BYTES_PER_UNIT;
        long perSequence =
                (long) perUnit * spec.hiddenSize() * spec.layers()
                        + (spec.firstLayerInputSize() + spec.numClasses() * 2L) * Float.BYTES;
        return perSequence * batchSize;
    }
}
