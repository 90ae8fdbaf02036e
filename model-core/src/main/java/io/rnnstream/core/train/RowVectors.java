package io.rnnstream.core.train;

/** Row-vector arithmetic on values held row after row in a flat Java array. */
final class RowVectors {

    private RowVectors() {}

    /**
     * Adds {@code row} to each of {@code rows} consecutive rows of {@code values}, the first at
     * {@code from}; each row is as wide as {@code row}.
     */
    static void addToEach(double[] row, double[] values, int from, int rows) {
        int width = row.length;
        for (int r = 0; r < rows; r++) {
            int at = from + r * width;
            for (int j = 0; j < width; j++) {
                values[at + j] += row[j];
            }
        }
    }
}
