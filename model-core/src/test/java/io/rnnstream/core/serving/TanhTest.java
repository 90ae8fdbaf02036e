package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The shared double tanh against {@link Math#tanh}, on a dense grid of [-40, 40] and around 0. */
class TanhTest {

    @Test
    void isWithinFloatResolutionOfMathTanhEverywhere() {
        int count = 800_001;
        double[] x = new double[count + 2000];
        for (int k = 0; k < count; k++) {
            x[k] = -40 + 80.0 * k / (count - 1);
        }
        for (int k = 0; k < 2000; k++) {
            x[count + k] = (k - 1000) * 1e-6;
        }
        double[] d = x.clone();

        Tanh.apply(d, 0, d.length);

        double worst = 0;
        for (int k = 0; k < d.length; k++) {
            worst = Math.max(worst, Math.abs(d[k] - Math.tanh(x[k])));
        }
        assertThat(worst).isLessThan(1e-7);
    }

    @Test
    void leavesValuesOutsideTheRangeAlone() {
        double[] d = {5, 0.5, 7};

        Tanh.apply(d, 1, 2);

        assertThat(d[0]).isEqualTo(5);
        assertThat(d[1]).isCloseTo(Math.tanh(0.5), within(1e-7));
        assertThat(d[2]).isEqualTo(7);
    }
}
