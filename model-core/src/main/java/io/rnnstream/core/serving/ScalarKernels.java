package io.rnnstream.core.serving;

/**
 * The scalar path's pre-activation products for one key and for a tile of keys ({@link
 * ScalarLayerStep}), in plain Java that HotSpot's C2 compiler turns into SIMD code ({@link
 * Activations} does the non-linearities).
 *
 * <p>Products are written as row-wise "axpy" over the gate width, four weight rows per pass: the
 * innermost loop then loads and stores each pre-activation once per four multiply-adds instead of
 * once per one, which is what bounds a vector-times-matrix product in the CPU's load/store units.
 * The batched kernel reuses each group of rows, while it is in the L1 cache, for several keys.
 */
final class ScalarKernels {

    private ScalarKernels() {}

    /**
     * {@code z[j] += sum_k x[xOffset + k] * w[k * width + j]} for {@code k < rows}, {@code j <
     * width}.
     */
    static void accumulate(float[] z, float[] x, int xOffset, float[][] w, int rows, int width) {
        int k = 0;
        for (; k + 3 < rows; k += 4) {
            float a = x[xOffset + k];
            float b = x[xOffset + k + 1];
            float c = x[xOffset + k + 2];
            float d = x[xOffset + k + 3];
            if (a == 0f && b == 0f && c == 0f && d == 0f) {
                // The first step of a sequence starts from h = 0; a zero row adds nothing.
                continue;
            }
            float[] w0 = w[k];
            float[] w1 = w[k + 1];
            float[] w2 = w[k + 2];
            float[] w3 = w[k + 3];
            for (int j = 0; j < width; j++) {
                z[j] += a * w0[j] + b * w1[j] + c * w2[j] + d * w3[j];
            }
        }
        for (; k < rows; k++) {
            float a = x[xOffset + k];
            float[] w0 = w[k];
            for (int j = 0; j < width; j++) {
                z[j] += a * w0[j];
            }
        }
    }

    /**
     * {@link #accumulate} for several keys at once: key {@code q} reads its input from {@code
     * x[xOffsets[q] ...]} and accumulates into {@code z[q]}. Four weight rows are brought into the
     * L1 cache once and used for every key before the next four.
     */
    static void accumulateKeys(
            float[][] z, int keys, float[] x, int[] xOffsets, float[][] w, int rows, int width) {
        int k = 0;
        for (; k + 3 < rows; k += 4) {
            float[] w0 = w[k];
            float[] w1 = w[k + 1];
            float[] w2 = w[k + 2];
            float[] w3 = w[k + 3];
            for (int q = 0; q < keys; q++) {
                int o = xOffsets[q] + k;
                float a = x[o];
                float b = x[o + 1];
                float c = x[o + 2];
                float d = x[o + 3];
                float[] zq = z[q];
                for (int j = 0; j < width; j++) {
                    zq[j] += a * w0[j] + b * w1[j] + c * w2[j] + d * w3[j];
                }
            }
        }
        for (; k < rows; k++) {
            float[] w0 = w[k];
            for (int q = 0; q < keys; q++) {
                float a = x[xOffsets[q] + k];
                float[] zq = z[q];
                for (int j = 0; j < width; j++) {
                    zq[j] += a * w0[j];
                }
            }
        }
    }
}
