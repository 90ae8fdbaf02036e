package io.rnnstream.core.train;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies contiguous runs of a c-order ND4J array's elements to and from Java {@code double[]}, so
 * that element-wise work on them can run as plain Java loops: an ND4J operation pays a fixed
 * dispatch cost whatever its size, which for the gate arithmetic of one LSTM step is many times the
 * arithmetic itself. Float arrays are widened on the way in and rounded on the way out, through a
 * {@link Conversion} run that the runs of one owner can share.
 */
final class HostRuns {

    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private final long length;
    private final Conversion conversion;

    /**
     * The float run a FLOAT array's values pass through on their way to and from doubles, grown to
     * the longest run asked for and then reused: one per single-threaded owner, so that copying a
     * step's values allocates nothing once the first window has run.
     */
    static final class Conversion {
        private float[] run = new float[0];

        float[] atLeast(int count) {
            if (run.length < count) {
                run = new float[count];
            }
            return run;
        }
    }

    /** Whether {@code array} is one that runs can be taken of: whole, contiguous and c-order. */
    static boolean covers(INDArray array) {
        return array.ordering() == 'c'
                && array.offset() == 0
                && array.length() == array.data().length()
                && contiguous(array);
    }

    private HostRuns(INDArray array, Conversion conversion) {
        if (!covers(array)) {
            throw new IllegalArgumentException(
                    "host runs need a whole, contiguous c-order array, got order "
                            + array.ordering()
                            + " with offset "
                            + array.offset()
                            + " and strides "
                            + Arrays.toString(array.stride())
                            + " over "
                            + array.data().length()
                            + " elements of buffer for "
                            + array.length());
        }
        if (array.length() * array.data().getElementSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "host runs address at most 2 GiB, got " + array.length() + " elements");
        }
        this.length = array.length();
        this.conversion = conversion;
        DataType type = array.dataType();
        if (type == DataType.FLOAT) {
            this.floats = floatBuffer(array);
            this.doubles = null;
        } else if (type == DataType.DOUBLE) {
            this.floats = null;
            this.doubles = array.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
        } else {
            throw new IllegalArgumentException(
                    "host runs hold FLOAT or DOUBLE arrays, got " + type);
        }
    }

    /**
     * Runs of {@code array}, a FLOAT or DOUBLE array in c order that covers its whole buffer (a
     * reshape of one does), and that must outlive them.
     */
    static HostRuns of(INDArray array) {
        return new HostRuns(array, new Conversion());
    }

    /** As {@link #of(INDArray)}, converting through {@code conversion}. */
    static HostRuns of(INDArray array, Conversion conversion) {
        return new HostRuns(array, conversion);
    }

    /**
     * A new c-order FLOAT array of {@code shape} holding {@code values}, copied in one bulk move
     * rather than element by element as {@code Nd4j.create(float[], ...)} does.
     */
    static INDArray floatArray(float[] values, long... shape) {
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        if (array.length() != values.length) {
            throw new IllegalArgumentException(
                    "shape "
                            + Arrays.toString(shape)
                            + " holds "
                            + array.length()
                            + " values, got "
                            + values.length);
        }
        floatBuffer(array).put(values);
        return array;
    }

    /** The values of {@code array} in flat c order, as floats, copied in one bulk move. */
    static float[] floats(INDArray array) {
        INDArray whole =
                covers(array) && array.dataType() == DataType.FLOAT
                        ? array
                        : array.castTo(DataType.FLOAT).dup('c');
        float[] values = new float[Math.toIntExact(whole.length())];
        floatBuffer(whole).get(values);
        return values;
    }

    private static FloatBuffer floatBuffer(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Whether every dimension of more than one element has the stride of a c-order layout. */
    static boolean contiguous(INDArray array) {
        long expected = 1;
        for (int d = array.rank() - 1; d >= 0; d--) {
            if (array.size(d) > 1 && array.stride(d) != expected) {
                return false;
            }
            expected *= array.size(d);
        }
        return true;
    }

    /** {@code into[0, count) = array[from, from + count)} in the array's flat c order. */
    void read(long from, double[] into, int count) {
        read(from, into, 0, count);
    }

    /** {@code into[at, at + count) = array[from, from + count)} in the array's flat c order. */
    void read(long from, double[] into, int at, int count) {
        check(from, count);
        if (doubles != null) {
            doubles.get((int) from, into, at, count);
            return;
        }
        float[] run = conversion.atLeast(count);
        floats.get((int) from, run, 0, count);
        for (int j = 0; j < count; j++) {
            into[at + j] = run[j];
        }
    }

    /** {@code array[to, to + count) = values[0, count)} in the array's flat c order. */
    void write(double[] values, int count, long to) {
        write(values, 0, count, to);
    }

    /** {@code array[to, to + count) = values[at, at + count)} in the array's flat c order. */
    void write(double[] values, int at, int count, long to) {
        check(to, count);
        if (doubles != null) {
            doubles.put((int) to, values, at, count);
            return;
        }
        float[] run = conversion.atLeast(count);
        for (int j = 0; j < count; j++) {
            run[j] = (float) values[at + j];
        }
        floats.put((int) to, run, 0, count);
    }

    private void check(long from, int count) {
        if (from < 0 || count < 0 || from + count > length) {
            throw new IndexOutOfBoundsException(
                    "run [" + from + ", " + (from + count) + ") of an array of " + length);
        }
    }
}
