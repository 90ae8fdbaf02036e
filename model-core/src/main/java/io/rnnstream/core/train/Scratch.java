package io.rnnstream.core.train;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The native arrays of one training window, freed together when the window ends: without this the
 * process would hold dead arrays up to JavaCPP's limit (the heap size again) until the garbage
 * collector finds them.
 */
final class Scratch implements AutoCloseable {

    private final List<INDArray> arrays = new ArrayList<>();

    /** Notes {@code array} as one to free when the window ends, and returns it. */
    INDArray add(INDArray array) {
        arrays.add(array);
        return array;
    }

    void addAll(INDArray[] more) {
        arrays.addAll(List.of(more));
    }

    @Override
    public void close() {
        for (INDArray array : arrays) {
            release(array);
        }
        arrays.clear();
    }

    /** Frees {@code array}'s native memory now, if it owns any (views and null are left alone). */
    static void release(INDArray array) {
        if (array != null && array.closeable()) {
            array.close();
        }
    }
}
