package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sum of each column of a matrix, as a product with a row of ones: ND4J's {@code sum(0)} on a
 * c-order matrix reduces every column as a strided run, far slower than the product for a window of
 * an LSTM's gate gradients.
 */
final class ColumnSums {

    private ColumnSums() {}

    /** {@code [1, columns]}, each column of {@code matrix} summed; freed with {@code scratch}. */
    static INDArray of(INDArray matrix, Scratch scratch) {
        INDArray ones = scratch.add(Nd4j.ones(matrix.dataType(), 1, matrix.size(0)));
        return Blas.product(ones, false, matrix, false, scratch);
    }
}
