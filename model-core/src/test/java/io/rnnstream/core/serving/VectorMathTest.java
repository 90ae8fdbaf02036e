package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The vector path's sigmoid and tanh against {@code Math} in double, on a dense grid of [-40, 40]
 * (beyond the clamp on both sides) and around 0, where {@code tanh = 2 sigmoid(2x) - 1} is closest
 * to cancelling.
 */
class VectorMathTest {

    private static final int LANES = VectorLayerPlan.LANES;

    @Test
    void tanhIsWithinFloatResolutionOfMathTanh() {
        double worst = worstError(true);
        System.out.printf("vector tanh: max abs error vs Math.tanh %.3g%n", worst);
        assertThat(worst).isLessThan(3e-7);
    }

    @Test
    void sigmoidIsWithinFloatResolutionOfTheExactSigmoid() {
        double worst = worstError(false);
        System.out.printf("vector sigmoid: max abs error %.3g%n", worst);
        assertThat(worst).isLessThan(1.5e-7);
    }

    @Test
    void softmaxExponentialsAreWithinFloatResolutionOfMathExpAndSumThem() {
        // A count that is not a multiple of the lanes, so that the scalar tail runs too.
        int count = 40 * LANES + 3;
        float[] logits = new float[count];
        java.util.Random random = new java.util.Random(9);
        for (int k = 0; k < count; k++) {
            logits[k] = (float) (random.nextGaussian() * 30);
        }
        logits[5] = -1e30f;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        float[] out = new float[count];

        double sum = VectorMath.softmaxExponentials(logits, count, max, out);

        double exactSum = 0;
        double worstRelative = 0;
        for (int k = 0; k < count; k++) {
            // On the same float argument: the subtraction rounds alike on every path.
            double exact = Math.exp(logits[k] - max);
            exactSum += exact;
            if ((double) logits[k] - max >= -87) {
                worstRelative = Math.max(worstRelative, Math.abs(out[k] - exact) / exact);
            } else {
                assertThat(out[k]).as("class %d, below the floor", k).isLessThanOrEqualTo(1.7e-38f);
            }
        }
        System.out.printf("vector softmax exponentials: max relative error %.3g%n", worstRelative);
        assertThat(worstRelative).isLessThan(3e-7);
        assertThat(Math.abs(sum - exactSum) / exactSum).isLessThan(1e-6);
    }

    private static double worstError(boolean tanh) {
        float[] x = new float[LANES];
        float[] y = new float[LANES];
        float[] scales = new float[LANES];
        java.util.Arrays.fill(scales, tanh ? 2f : 1f);
        double worst = 0;
        int n = 0;
        for (int i = -400_000; i <= 400_000; i++) {
            // steps of 1e-4 over [-40, 40], and of 1e-8 over [-4e-3, 4e-3]
            x[n++] = (float) (i % 2 == 0 ? i * 1e-4 : i * 1e-8);
            if (n == LANES) {
                System.arraycopy(x, 0, y, 0, LANES);
                VectorMath.squash(y, 0, LANES, scales, 0);
                for (int j = 0; j < LANES; j++) {
                    double exact = tanh ? Math.tanh(x[j]) : 1 / (1 + Math.exp(-x[j]));
                    worst = Math.max(worst, Math.abs(y[j] - exact));
                }
                n = 0;
            }
        }
        return worst;
    }
}
