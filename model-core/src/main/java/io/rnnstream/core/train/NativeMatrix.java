package io.rnnstream.core.train;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A matrix in an ND4J array's native memory as BLAS addresses it: where element [0, 0] is, whether
 * rows or columns are contiguous, and the leading dimension. {@link #rows(long, int)} names a band
 * of rows without creating an ND4J view, which costs as much as a small matrix product.
 *
 * @param start a {@link FloatPointer} or {@link DoublePointer} at element [0, 0]
 * @param offset elements from {@code start} to element [0, 0] of this matrix
 * @param rowMajor whether each row is contiguous (otherwise each column is)
 * @param leading elements between the starts of consecutive rows (row-major) or columns
 */
record NativeMatrix(
        Pointer start,
        DataType type,
        long offset,
        int rows,
        int columns,
        boolean rowMajor,
        int leading) {

    /**
     * The 2-D {@code array}, which must keep either its rows or its columns contiguous; or a
     * contiguous vector, as a matrix of one row (a bias, which DL4J keeps as a vector).
     */
    static NativeMatrix of(INDArray array) {
        boolean vector = array.rank() == 1;
        if (!vector && array.rank() != 2) {
            throw new IllegalArgumentException(
                    "a BLAS matrix needs rank 2 (or a vector), got " + array.rank());
        }
        int rows = vector ? 1 : Math.toIntExact(array.size(0));
        int columns = Math.toIntExact(array.size(vector ? 0 : 1));
        boolean rowMajor;
        long leading;
        if (vector) {
            if (array.stride(0) != 1 && columns > 1) {
                throw new IllegalArgumentException(
                        "a vector as a BLAS matrix needs stride 1, got " + array.stride(0));
            }
            rowMajor = true;
            leading = columns;
        } else if (array.stride(1) == 1 || columns == 1) {
            rowMajor = true;
            leading = rows == 1 ? columns : array.stride(0);
        } else if (array.stride(0) == 1 || rows == 1) {
            rowMajor = false;
            leading = array.stride(1);
        } else {
            throw new IllegalArgumentException(
                    "a BLAS matrix needs contiguous rows or columns, got strides "
                            + array.stride(0)
                            + ", "
                            + array.stride(1));
        }
        return new NativeMatrix(
                start(array),
                array.dataType(),
                offset(array),
                rows,
                columns,
                rowMajor,
                Math.toIntExact(Math.max(1, leading)));
    }

    /** A pointer of {@code array}'s element type at the start of its data buffer. */
    private static Pointer start(INDArray array) {
        DataType type = array.dataType();
        Pointer base = array.data().addressPointer();
        return switch (type) {
            case FLOAT -> new FloatPointer(base);
            case DOUBLE -> new DoublePointer(base);
            default ->
                    throw new IllegalArgumentException(
                            "BLAS products take FLOAT or DOUBLE, got " + type);
        };
    }

    /** Elements from the data buffer's start to {@code array}'s first element. */
    private static long offset(INDArray array) {
        // The data buffer's own pointer already starts at its offset into the allocation.
        return array.offset() - array.data().offset();
    }

    /**
     * The c-order {@code array}, of any rank, as a row-major matrix of {@code rows} rows holding
     * its elements in c order: what {@link #of(INDArray)} makes of a 2-D reshape of it, without the
     * ND4J view a reshape creates.
     */
    static NativeMatrix rowsOf(INDArray array, long rows) {
        if (!HostRuns.contiguous(array)) {
            throw new IllegalArgumentException(
                    "rows of an array need its c-order layout, got shape "
                            + Arrays.toString(array.shape())
                            + " with strides "
                            + Arrays.toString(array.stride()));
        }
        if (rows < 0 || (rows == 0 ? array.length() != 0 : array.length() % rows != 0)) {
            throw new IllegalArgumentException(
                    array.length() + " elements do not make " + rows + " equal rows");
        }
        int columns = rows == 0 ? 0 : Math.toIntExact(array.length() / rows);
        return new NativeMatrix(
                start(array),
                array.dataType(),
                offset(array),
                Math.toIntExact(rows),
                columns,
                true,
                Math.max(1, columns));
    }

    /** Rows {@code [from, from + count)} of this row-major matrix. */
    NativeMatrix rows(long from, int count) {
        if (!rowMajor || from < 0 || from + count > rows) {
            throw new IllegalArgumentException(
                    "rows [" + from + ", " + (from + count) + ") of a " + describe());
        }
        return new NativeMatrix(
                start, type, offset + from * leading, count, columns, true, leading);
    }

    /** The first {@code count} columns of this matrix. */
    NativeMatrix columns(int count) {
        if (count < 0 || count > columns) {
            throw new IllegalArgumentException(
                    "the first " + count + " columns of a " + describe());
        }
        return new NativeMatrix(start, type, offset, rows, count, rowMajor, leading);
    }

    /** Columns {@code [from, from + count)} of this row-major matrix. */
    NativeMatrix columns(int from, int count) {
        if (!rowMajor || from < 0 || count < 0 || from + count > columns) {
            throw new IllegalArgumentException(
                    "columns [" + from + ", " + (from + count) + ") of a " + describe());
        }
        return new NativeMatrix(start, type, offset + from, rows, count, true, leading);
    }

    /** The same elements read as this matrix's transpose, which swaps rows for columns. */
    NativeMatrix transposed() {
        return new NativeMatrix(start, type, offset, columns, rows, !rowMajor, leading);
    }

    /** The address BLAS reads: a pointer positioned at element [0, 0]. */
    Pointer address() {
        Pointer at = type == DataType.FLOAT ? new FloatPointer(start) : new DoublePointer(start);
        return at.position(start.position() + offset);
    }

    /** This matrix's values, row by row, into {@code into}; its rows must lie end to end. */
    void copyTo(double[] into) {
        if (!rowMajor || (rows > 1 && leading != columns)) {
            throw new IllegalArgumentException("a copy needs rows end to end, got a " + describe());
        }
        int count = rows * columns;
        if (type == DataType.DOUBLE) {
            ((DoublePointer) address()).get(into, 0, count);
            return;
        }
        float[] values = new float[count];
        ((FloatPointer) address()).get(values, 0, count);
        for (int j = 0; j < count; j++) {
            into[j] = values[j];
        }
    }

    String describe() {
        return rows + " x " + columns + (rowMajor ? " row-major" : " column-major") + " matrix";
    }
}
