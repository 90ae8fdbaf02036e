package io.rnnstream.core.train;

/**
 * What an LSTM layer's forward pass keeps of a window for its backward pass, on the Java heap where
 * the cell arithmetic reads it: every step's activated gates ({@code 4 hidden} values per stream,
 * in DL4J's block order), cell state and tanh of the cell state, and the cell state the window
 * started from; laid out step by step, stream by stream, as ND4J keeps a time-major window.
 *
 * <p>One instance serves every window of one layer, grown to the largest window and overwritten by
 * each forward pass; {@link #generation()} tells a backward pass whether the values are still those
 * of its own forward pass.
 */
final class LstmWindowValues {

    final int hidden;
    int batch;
    double[] gates = new double[0];
    double[] cells = new double[0];
    double[] cellTanh = new double[0];
    double[] cellStart = new double[0];
    private long generation;

    LstmWindowValues(int hidden) {
        this.hidden = hidden;
    }

    /**
     * Makes room for a window of {@code steps} steps of {@code batch} streams and starts a new
     * generation: the previous window's values are no longer valid.
     */
    long reset(long steps, int batch) {
        long values = steps * batch * hidden;
        if (4 * values > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a window of "
                            + steps
                            + " steps of "
                            + batch
                            + " streams and "
                            + hidden
                            + " units is more than a Java array holds; use a shorter window");
        }
        this.batch = batch;
        int n = (int) values;
        if (cells.length < n) {
            gates = new double[4 * n];
            cells = new double[n];
            cellTanh = new double[n];
        }
        if (cellStart.length < batch * hidden) {
            cellStart = new double[batch * hidden];
        }
        return ++generation;
    }

    /** The generation of the values held now. */
    long generation() {
        return generation;
    }

    /** Values per step of one quantity: one per unit and stream. */
    int stepSize() {
        return batch * hidden;
    }
}
