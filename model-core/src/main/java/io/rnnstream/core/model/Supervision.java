package io.rnnstream.core.model;

/** Where the training loss is applied along a sequence of a many-to-one task. */
public enum Supervision {
    /**
     * Loss at each sequence's last valid step only. With truncated BPTT the gradient then reaches
     * only the final window.
     */
    LAST_STEP,
    /**
     * The sequence's label at every valid step (many-to-many training of a many-to-one task): every
     * truncated-BPTT window gets gradient, and the per-step output becomes a running estimate.
     */
    EVERY_STEP
}
