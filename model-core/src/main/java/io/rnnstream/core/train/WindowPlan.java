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
     * Floats a step keeps per sequence and hidden unit and layer during the backward pass: for an
     * LSTM, four gates, cell and hidden state, and the output and input gradients (the op keeps its
     * own copies); half of that for an Elman layer.
     */
    private static final int LSTM_FLOATS_PER_UNIT = 12;

    private static final int ELMAN_FLOATS_PER_UNIT = 6;

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

    /** Activation bytes one step of one batch takes across the network's layers. */
    static long bytesPerStep(ModelSpec spec, int batchSize) {
        int floats = spec.cell() == CellType.LSTM ? LSTM_FLOATS_PER_UNIT : ELMAN_FLOATS_PER_UNIT;
        long perSequence =
                (long) floats * spec.hiddenSize() * spec.layers()
                        + spec.firstLayerInputSize()
                        + spec.numClasses() * 2L;
        return perSequence * Float.BYTES * batchSize;
    }
}
