package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Products through {@link Blas} against a triple loop in double, on the operands a recurrent layer
 * hands it: a view into a flat parameter array in column-major order (as DL4J's parameter views
 * are), bands of rows of a larger row-major array, both transpose flags, FLOAT and DOUBLE.
 */
class BlasTest {

    /** {@code m} rows in the product; one row times a matrix goes through gemv. */
    @ParameterizedTest
    @CsvSource({
        "FLOAT, false, false, 5",
        "FLOAT, false, true, 5",
        "FLOAT, true, false, 5",
        "FLOAT, true, true, 5",
        "DOUBLE, false, true, 5",
        "DOUBLE, true, false, 5",
        "FLOAT, false, false, 1",
        "FLOAT, false, true, 1",
        "FLOAT, true, false, 1",
        "DOUBLE, false, false, 1",
        "DOUBLE, false, true, 1"
    })
    void aProductOfViewsAndRowBandsEqualsTheTripleLoop(
            DataType type, boolean transposeA, boolean transposeB, int m) {
        int k = 7;
        int n = 6;
        Random random = new Random(3);
        // a: rows 2..2+m (or k) of a larger row-major array; b: a column-major view into a flat
        // array starting 11 elements in, as a network's parameter view.
        INDArray aWhole = random(type, random, 20, transposeA ? m : k);
        int aRows = transposeA ? k : m;
        INDArray aBand = aWhole.get(NDArrayIndex.interval(2, 2 + aRows), NDArrayIndex.all());
        int bRows = transposeB ? n : k;
        int bColumns = transposeB ? k : n;
        INDArray flat = random(type, random, 1, 11 + bRows * bColumns);
        INDArray b =
                flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(11, 11 + bRows * bColumns))
                        .reshape('f', bRows, bColumns);
        INDArray cWhole = random(type, random, 3 * m, n);
        double[][] expected = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = transposeA ? aBand.getDouble(p, i) : aBand.getDouble(i, p);
                    double bv = transposeB ? b.getDouble(j, p) : b.getDouble(p, j);
                    sum += av * bv;
                }
                expected[i][j] = 0.5 * sum + 2 * cWhole.getDouble(m + i, j);
            }
        }

        NativeMatrix aMatrix = NativeMatrix.of(aWhole).rows(2, aRows);
        Blas.gemm(
                aMatrix,
                transposeA,
                NativeMatrix.of(b),
                transposeB,
                NativeMatrix.of(cWhole).rows(m, m),
                0.5,
                2);

        double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertThat(cWhole.getDouble(m + i, j))
                        .as("c[%d][%d]", i, j)
                        .isCloseTo(
                                expected[i][j], org.assertj.core.api.Assertions.within(tolerance));
            }
        }
    }

    @Test
    void theRowsOutsideTheProductsBandAreLeftAlone() {
        INDArray c = Nd4j.ones(DataType.FLOAT, 6, 2);
        INDArray a = Nd4j.ones(DataType.FLOAT, 2, 3);
        INDArray b = Nd4j.ones(DataType.FLOAT, 3, 2);

        Blas.gemm(
                NativeMatrix.of(a),
                false,
                NativeMatrix.of(b),
                false,
                NativeMatrix.of(c).rows(2, 2),
                1,
                0);

        assertThat(c.toFloatMatrix())
                .isDeepEqualTo(new float[][] {{1, 1}, {1, 1}, {3, 3}, {3, 3}, {1, 1}, {1, 1}});
    }

    @ParameterizedTest
    @CsvSource({"FLOAT, false, false", "FLOAT, true, false", "DOUBLE, false, true"})
    void aProductLandsInAColumnMajorViewOfAFlatArrayAndNowhereElse(
            DataType type, boolean transposeA, boolean transposeB) {
        int m = 4;
        int k = 5;
        int n = 3;
        Random random = new Random(7);
        INDArray a = random(type, random, transposeA ? k : m, transposeA ? m : k);
        INDArray b = random(type, random, transposeB ? n : k, transposeB ? k : n);
        // A gradient view as DL4J lays one out: column-major, 6 elements into a flat array.
        INDArray flat = Nd4j.ones(type, 1, 6 + m * n + 4);
        INDArray view =
                flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(6, 6 + m * n))
                        .reshape('f', m, n);

        Blas.gemm(
                NativeMatrix.of(a),
                transposeA,
                NativeMatrix.of(b),
                transposeB,
                NativeMatrix.of(view),
                1,
                0);

        double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum +=
                            (transposeA ? a.getDouble(p, i) : a.getDouble(i, p))
                                    * (transposeB ? b.getDouble(j, p) : b.getDouble(p, j));
                }
                // Column-major: element [i, j] is flat element 6 + j * m + i.
                assertThat(flat.getDouble(0, 6 + j * m + i))
                        .as("c[%d][%d]", i, j)
                        .isCloseTo(sum, org.assertj.core.api.Assertions.within(tolerance));
            }
        }
        for (int outside : new int[] {0, 5, 6 + m * n, 6 + m * n + 3}) {
            assertThat(flat.getDouble(0, outside)).as("flat[%d]", outside).isEqualTo(1.0);
        }
    }

    @Test
    void aVectorIsAMatrixOfOneRow() {
        INDArray ones = Nd4j.ones(DataType.FLOAT, 1, 3);
        INDArray matrix = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}, 'c');
        INDArray sums = Nd4j.zeros(DataType.FLOAT, 2);

        Blas.gemm(
                NativeMatrix.of(ones),
                false,
                NativeMatrix.of(matrix),
                false,
                NativeMatrix.of(sums),
                1,
                0);

        assertThat(sums.toFloatVector()).containsExactly(9, 12);
    }

    @Test
    void mismatchedShapesAreRefusedNamingBothOperands() {
        INDArray a = Nd4j.ones(DataType.FLOAT, 2, 3);
        INDArray c = Nd4j.ones(DataType.FLOAT, 2, 2);

        assertThatThrownBy(
                        () ->
                                Blas.gemm(
                                        NativeMatrix.of(a),
                                        false,
                                        NativeMatrix.of(a),
                                        false,
                                        NativeMatrix.of(c),
                                        1,
                                        0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot multiply a 2 x 3 row-major matrix by a 2 x 3");
    }

    @Test
    void aBandBeyondTheMatrixIsRefused() {
        NativeMatrix matrix = NativeMatrix.of(Nd4j.ones(DataType.FLOAT, 4, 2));

        assertThatThrownBy(() -> matrix.rows(3, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows [3, 5) of a 4 x 2 row-major matrix");
    }

    private static INDArray random(DataType type, Random random, int rows, int columns) {
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Nd4j.create(values, new long[] {rows, columns}, 'c').castTo(type);
    }

    @Test
    void theRowsOfAnArrayOfAnyRankAreItsCOrderElementsWithoutAReshape() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4, 5);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 5, 2);
        INDArray product = Nd4j.createUninitialized(DataType.DOUBLE, 12, 2);

        Blas.gemm(
                NativeMatrix.rowsOf(x, 12),
                false,
                NativeMatrix.of(w),
                false,
                NativeMatrix.of(product),
                1,
                0);

        assertThat(product.equalsWithEps(x.reshape('c', 12, 5).mmul(w), 1e-12)).isTrue();
    }

    @Test
    void rowsOfAViewOutOfCOrderAreRefused() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray columns = x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));

        assertThatThrownBy(() -> NativeMatrix.rowsOf(columns, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c-order layout");
        assertThatThrownBy(() -> NativeMatrix.rowsOf(x, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("24 elements do not make 5 equal rows");
    }

    @ParameterizedTest
    @CsvSource({"FLOAT", "DOUBLE"})
    void theSumOfSquaresOfABandOfARowIsTheLoopsInDouble(DataType type) {
        INDArray row = random(type, new Random(9), 1, 40);
        double expected = 0;
        for (int j = 7; j < 7 + 25; j++) {
            expected += row.getDouble(0, j) * row.getDouble(0, j);
        }

        double sum = Blas.sumOfSquares(NativeMatrix.of(row).columns(7, 25));

        assertThat(sum).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void aSumOfSquaresNeedsOneRow() {
        assertThatThrownBy(
                        () -> Blas.sumOfSquares(NativeMatrix.of(Nd4j.ones(DataType.FLOAT, 2, 3))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs one row, got a 2 x 3 row-major matrix");
    }

    @Test
    void aCopyOfAVectorViewHoldsItsOwnValues() {
        INDArray flat = Nd4j.arange(10).castTo(DataType.FLOAT);
        INDArray bias = flat.get(NDArrayIndex.interval(6, 9));
        double[] values = new double[3];

        NativeMatrix.of(bias).copyTo(values);

        assertThat(values).containsExactly(6, 7, 8);
    }
}
