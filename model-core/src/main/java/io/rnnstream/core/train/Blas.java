package io.rnnstream.core.train;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products straight through the OpenBLAS that ND4J's own {@code matmul} runs on, for every
 * product of a training window. Through ND4J each call also creates an op context and views of its
 * operands, which costs more than the small products a recurrent layer makes at every step, and
 * some operand layouts leave temporaries that only the garbage collector frees.
 */
final class Blas {

    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANSPOSE = openblas_nolapack.CblasNoTrans;
    private static final int TRANSPOSE = openblas_nolapack.CblasTrans;

    private Blas() {}

    /**
     * {@code op(a) op(b)} into a new c-order array freed with {@code scratch}: no temporary array
     * that only the garbage collector would free, as ND4J's {@code mmul} leaves for some operand
     * layouts.
     */
    static INDArray product(
            INDArray a, boolean transposeA, INDArray b, boolean transposeB, Scratch scratch) {
        long rows = transposeA ? a.size(1) : a.size(0);
        long columns = transposeB ? b.size(0) : b.size(1);
        INDArray c = scratch.add(Nd4j.createUninitialized(a.dataType(), rows, columns));
        gemm(
                NativeMatrix.of(a),
                transposeA,
                NativeMatrix.of(b),
                transposeB,
                NativeMatrix.of(c),
                1,
                0);
        return c;
    }

    /**
     * {@code c = alpha op(a) op(b) + beta c}, where {@code op} transposes its matrix when asked;
     * all three of one data type.
     */
    static void gemm(
            NativeMatrix a,
            boolean transposeA,
            NativeMatrix b,
            boolean transposeB,
            NativeMatrix c,
            double alpha,
            double beta) {
        int m = transposeA ? a.columns() : a.rows();
        int k = transposeA ? a.rows() : a.columns();
        int n = transposeB ? b.rows() : b.columns();
        int kOfB = transposeB ? b.columns() : b.rows();
        if (k != kOfB || c.rows() != m || c.columns() != n) {
            throw new IllegalArgumentException(
                    "cannot multiply a "
                            + a.describe()
                            + (transposeA ? " (transposed)" : "")
                            + " by a "
                            + b.describe()
                            + (transposeB ? " (transposed)" : "")
                            + " into a "
                            + c.describe());
        }
        if (!c.rowMajor()) {
            // (op(a) op(b))^T = op(b)^T op(a)^T, into c read as its row-major transpose: how a
            // product lands in a network's column-major parameter views without a copy.
            gemm(b, !transposeB, a, !transposeA, c.transposed(), alpha, beta);
            return;
        }
        if (a.type() != c.type() || b.type() != c.type()) {
            throw new IllegalArgumentException(
                    "one data type for all operands, got "
                            + a.type()
                            + ", "
                            + b.type()
                            + " and "
                            + c.type());
        }
        // A column-major matrix is its transpose in row-major order.
        int opA = transposeA == a.rowMajor() ? TRANSPOSE : NO_TRANSPOSE;
        int opB = transposeB == b.rowMajor() ? TRANSPOSE : NO_TRANSPOSE;
        if (m == 1 && opA == NO_TRANSPOSE) {
            // A row times a matrix (column sums, for a bias's gradient): OpenBLAS's gemm packs
            // the whole matrix for a product of one row, its gemv streams through it.
            rowTimesMatrix(a, b, opB, c, k, n, alpha, beta);
            return;
        }
        if (c.type() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(
                    ROW_MAJOR,
                    opA,
                    opB,
                    m,
                    n,
                    k,
                    (float) alpha,
                    (FloatPointer) a.address(),
                    a.leading(),
                    (FloatPointer) b.address(),
                    b.leading(),
                    (float) beta,
                    (FloatPointer) c.address(),
                    c.leading());
        } else {
            openblas_nolapack.cblas_dgemm(
                    ROW_MAJOR,
                    opA,
                    opB,
                    m,
                    n,
                    k,
                    alpha,
                    (DoublePointer) a.address(),
                    a.leading(),
                    (DoublePointer) b.address(),
                    b.leading(),
                    beta,
                    (DoublePointer) c.address(),
                    c.leading());
        }
    }

    /**
     * {@code c = alpha a op(b) + beta c} for a contiguous row {@code a} of {@code k} and a row
     * {@code c} of {@code n}, {@code opB} saying whether {@code b}'s row-major storage is {@code
     * op(b)} itself ({@code k x n}) or its transpose.
     */
    private static void rowTimesMatrix(
            NativeMatrix a,
            NativeMatrix b,
            int opB,
            NativeMatrix c,
            int k,
            int n,
            double alpha,
            double beta) {
        // y = S^T x for storage S = op(b) (k x n); y = S x for storage S = op(b)^T (n x k).
        int op = opB == NO_TRANSPOSE ? TRANSPOSE : NO_TRANSPOSE;
        int rows = opB == NO_TRANSPOSE ? k : n;
        int columns = opB == NO_TRANSPOSE ? n : k;
        if (c.type() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemv(
                    ROW_MAJOR,
                    op,
                    rows,
                    columns,
                    (float) alpha,
                    (FloatPointer) b.address(),
                    b.leading(),
                    (FloatPointer) a.address(),
                    1,
                    (float) beta,
                    (FloatPointer) c.address(),
                    1);
        } else {
            openblas_nolapack.cblas_dgemv(
                    ROW_MAJOR,
                    op,
                    rows,
                    columns,
                    alpha,
                    (DoublePointer) b.address(),
                    b.leading(),
                    (DoublePointer) a.address(),
                    1,
                    beta,
                    (DoublePointer) c.address(),
                    1);
        }
    }

    /**
     * The sum of the squares of a row's elements, each square and the sum in double precision (for
     * FLOAT, OpenBLAS's {@code dsdot}).
     */
    static double sumOfSquares(NativeMatrix row) {
        if (row.rows() != 1 || !row.rowMajor()) {
            throw new IllegalArgumentException(
                    "a sum of squares needs one row, got a " + row.describe());
        }
        if (row.type() == DataType.FLOAT) {
            FloatPointer values = (FloatPointer) row.address();
            return openblas_nolapack.cblas_dsdot(row.columns(), values, 1, values, 1);
        }
        DoublePointer values = (DoublePointer) row.address();
        return openblas_nolapack.cblas_ddot(row.columns(), values, 1, values, 1);
    }
}
