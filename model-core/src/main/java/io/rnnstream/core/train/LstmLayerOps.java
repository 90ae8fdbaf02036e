package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An LSTM layer's window on whichever of two implementations is faster for its size; both compute
 * the same gradients, held to the same references. Small layers run on libnd4j's fused ops ({@link
 * FusedLstmLayerOps}), whose per-step work stays in native code; larger ones on {@link
 * SteppedLstmLayerOps}, whose batched matrix products and kept gates beat the fused backward op (it
 * recomputes the forward pass) once the arithmetic outweighs ND4J's cost per call.
 */
final class LstmLayerOps implements RecurrentLayerOps {

    /** Which implementation runs; {@link #BY_SIZE} outside tests. */
    enum Kernel {
        BY_SIZE,
        FUSED,
        STEPPED
    }

    /**
     * Where the stepped implementation is faster: from this many hidden units, or from {@link
     * #STEPPED_FROM_BATCH_UNITS} batch times hidden units; below both, the fused ops. Set where the
     * two crossed when timed on the same batches (the commit that introduced them gives the
     * figures).
     */
    static final int STEPPED_FROM_HIDDEN = 256;

    static final long STEPPED_FROM_BATCH_UNITS = 4096;

    private final FusedLstmLayerOps fused;
    private final SteppedLstmLayerOps stepped;
    private final Kernel kernel;
    private final int hidden;

    LstmLayerOps(
            NetworkParameter input,
            NetworkParameter recurrent,
            NetworkParameter bias,
            Kernel kernel) {
        this.fused = new FusedLstmLayerOps(input, recurrent, bias);
        this.stepped = new SteppedLstmLayerOps(input, recurrent, bias);
        this.kernel = kernel;
        this.hidden = (int) recurrent.value().size(0);
    }

    private RecurrentLayerOps forBatch(long batch) {
        boolean stepped =
                switch (kernel) {
                    case FUSED -> false;
                    case STEPPED -> true;
                    case BY_SIZE ->
                            hidden >= STEPPED_FROM_HIDDEN
                                    || batch * hidden >= STEPPED_FROM_BATCH_UNITS;
                };
        return stepped ? this.stepped : fused;
    }

    @Override
    public void prepare(Scratch scratch) {
        fused.prepare(scratch);
        stepped.prepare(scratch);
    }

    @Override
    public LayerState zeroState(long batch) {
        return stepped.zeroState(batch);
    }

    @Override
    public Forward forward(INDArray input, LayerState start, Scratch scratch) {
        return forBatch(input.size(1)).forward(input, start, scratch);
    }

    @Override
    public INDArray backward(Forward forward, INDArray outputGradient, Scratch scratch) {
        return forBatch(forward.input().size(1)).backward(forward, outputGradient, scratch);
    }
}
