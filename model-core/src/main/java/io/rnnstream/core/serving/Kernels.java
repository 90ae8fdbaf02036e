package io.rnnstream.core.serving;

/**
 * The arithmetic shared by {@link Stepper} (one key) and {@link BatchStepper} (many keys): the
 * pre-activation product and the cell updates, in plain Java that HotSpot's C2 compiler turns into
 * SIMD code.
 *
 * <p>Products are written as row-wise "axpy" over the gate width, four weight rows per pass: the
 * innermost loop then loads and stores each pre-activation once per four multiply-adds instead of
 * once per one, which is what bounds a vector-times-matrix product in the CPU's load/store units.
 * The batched kernel also reuses each loaded weight row for four keys.
 */
final class Kernels {

    /** Keys advanced together by {@link #accumulate4}; the batched step tiles keys by this. */
    static final int KEY_TILE = 4;

    private Kernels() {}

    /**
     * {@code z[j] += sum_k x[xOffset + k] * w[k * width + j]} for {@code k < rows}, {@code j <
     * width}.
     */
    static void accumulate(float[] z, float[] x, int xOffset, float[] w, int rows, int width) {
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
            int r0 = k * width;
            int r1 = r0 + width;
            int r2 = r1 + width;
            int r3 = r2 + width;
            for (int j = 0; j < width; j++) {
                z[j] += a * w[r0 + j] + b * w[r1 + j] + c * w[r2 + j] + d * w[r3 + j];
            }
        }
        for (; k < rows; k++) {
            float a = x[xOffset + k];
            int r0 = k * width;
            for (int j = 0; j < width; j++) {
                z[j] += a * w[r0 + j];
            }
        }
    }

    /**
     * {@link #accumulate} for four keys at once: key {@code q} reads its input from {@code
     * x[xOffsets[q] ...]} and accumulates into {@code zq}. Each weight row is loaded once for the
     * four keys.
     */
    static void accumulate4(
            float[] z0,
            float[] z1,
            float[] z2,
            float[] z3,
            float[] x,
            int[] xOffsets,
            float[] w,
            int rows,
            int width) {
        int o0 = xOffsets[0];
        int o1 = xOffsets[1];
        int o2 = xOffsets[2];
        int o3 = xOffsets[3];
        int k = 0;
        for (; k + 1 < rows; k += 2) {
            float a0 = x[o0 + k];
            float b0 = x[o0 + k + 1];
            float a1 = x[o1 + k];
            float b1 = x[o1 + k + 1];
            float a2 = x[o2 + k];
            float b2 = x[o2 + k + 1];
            float a3 = x[o3 + k];
            float b3 = x[o3 + k + 1];
            int r0 = k * width;
            int r1 = r0 + width;
            for (int j = 0; j < width; j++) {
                float u = w[r0 + j];
                float v = w[r1 + j];
                z0[j] += a0 * u + b0 * v;
                z1[j] += a1 * u + b1 * v;
                z2[j] += a2 * u + b2 * v;
                z3[j] += a3 * u + b3 * v;
            }
        }
        for (; k < rows; k++) {
            float a0 = x[o0 + k];
            float a1 = x[o1 + k];
            float a2 = x[o2 + k];
            float a3 = x[o3 + k];
            int r0 = k * width;
            for (int j = 0; j < width; j++) {
                float u = w[r0 + j];
                z0[j] += a0 * u;
                z1[j] += a1 * u;
                z2[j] += a2 * u;
                z3[j] += a3 * u;
            }
        }
    }

    /** Elman: {@code h = tanh(z)}. */
    static void elmanUpdate(float[] z, float[] values, int hOffset, int hidden) {
        for (int j = 0; j < hidden; j++) {
            values[hOffset + j] = tanh(z[j]);
        }
    }

    /** LSTM with gate blocks {@code [i, f, g, o]}: {@code c = f c + i g}, {@code h = o tanh(c)}. */
    static void lstmUpdate(float[] z, float[] values, int hOffset, int hidden) {
        int cOffset = hOffset + hidden;
        for (int j = 0; j < hidden; j++) {
            float inputGate = sigmoid(z[j]);
            float forgetGate = sigmoid(z[hidden + j]);
            float candidate = tanh(z[2 * hidden + j]);
            float outputGate = sigmoid(z[3 * hidden + j]);
            float c = forgetGate * values[cOffset + j] + inputGate * candidate;
            values[cOffset + j] = c;
            values[hOffset + j] = outputGate * tanh(c);
        }
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /**
     * {@code tanh} through {@code Math.exp}, which HotSpot compiles to an intrinsic, unlike {@code
     * Math.tanh}. In double precision the result is within 1e-15 of the exact value, far below
     * float resolution; the form {@code 1 - 2 / (e^2x + 1)} saturates to +-1 instead of overflowing
     * to NaN for large |x|.
     */
    static float tanh(float x) {
        return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
    }
}
