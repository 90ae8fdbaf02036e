package io.rnnstream.core.train;

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
        DataType type = array.dataType();
        Pointer base = array.data().addressPointer();
        // The data buffer's own pointer already starts at its offset into the allocation.
        long offset = array.offset() - array.data().offset();
        Pointer start =
                switch (type) {
                    case FLOAT -> new FloatPointer(base);
                    case DOUBLE -> new DoublePointer(base);
                    default ->
                            throw new IllegalArgumentException(
                                    "BLAS products take FLOAT or DOUBLE, got " + type);
                };
        return new NativeMatrix(
                start,
                type,
                offset,
                rows,
                columns,
                rowMajor,
                Math.toIntExact(Math.max(1, leading)));
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

    /** The same elements read as this matrix's transpose, which swaps rows for columns. */
    NativeMatrix transposed() {
        return new NativeMatrix(start, type, offset, columns, rows, !rowMajor, leading);
    }

    /** The address BLAS reads: a pointer positioned at element [0, 0]. */
    Pointer address() {
        Pointer at = type == DataType.FLOAT ? new FloatPointer(start) : new DoublePointer(start);
        return at.position(start.position() + offset);
    }

    String describe() {
        return rows + " x " + columns + (rowMajor ? " row-major" : " column-major") + " matrix";
    }
}
