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
