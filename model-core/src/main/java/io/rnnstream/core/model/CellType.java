package io.rnnstream.core.model;

/** The recurrent cell of every layer of a network. */
public enum CellType {
    /** Elman cell: {@code h_t = tanh(W_hh h_{t-1} + W_xh x_t + b)}. */
    ELMAN,
    /** Long short-term memory cell without peepholes, as DL4J's {@code LSTM} layer computes it. */
    LSTM;

    /** Number of pre-activation blocks per hidden unit (1 for Elman, 4 gates for LSTM). */
    public int gateBlocks() {
        return this == LSTM ? 4 : 1;
    }

    /** Whether the cell carries a memory cell {@code c} next to the output {@code h}. */
    public boolean hasCellState() {
        return this == LSTM;
    }
}
