package io.rnnstream.core.train;

/**
 * The heap buffers the training kernels reuse from call to call: grown to the largest size asked
 * for, never shrunk, so that a run allocates them once its longest window has passed.
 */
final class HeapBuffers {

    private HeapBuffers() {}

    /** {@code buffer} if it holds at least {@code length} values, a new one of that size if not. */
    static double[] atLeast(double[] buffer, int length) {
        return buffer.length < length ? new double[length] : buffer;
    }
}
