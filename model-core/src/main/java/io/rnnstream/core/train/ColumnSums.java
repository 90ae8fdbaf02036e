package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sum of each column of a matrix, as a product with a row of ones written straight into its
 * target: ND4J's {@code sum(0)} on a c-order matrix reduces every column as a strided run, far
 * slower than the product for a window of an LSTM's gate gradients. The row of ones is kept and
 * grown to the tallest matrix seen, so that a window costs one BLAS call and no ND4J operation.
 *
 * <p>Not thread-safe: one instance per single-threaded owner.
 */
final class ColumnSums {

    private INDArray ones;

    /** {@code target = } each column of {@code matrix} summed; target is {@code [1, columns]}. */
    void into(INDArray matrix, NativeMatrix target) {
        int rows = Math.toIntExact(matrix.size(0));
        if (ones == null || ones.size(1) < rows || ones.dataType() != matrix.dataType()) {
            ones = Nd4j.ones(matrix.dataType(), 1, rows);
        }
        Blas.gemm(
                NativeMatrix.of(ones).columns(rows),
                false,
                NativeMatrix.of(matrix),
                false,
                target,
                1,
                0);
    }
}
