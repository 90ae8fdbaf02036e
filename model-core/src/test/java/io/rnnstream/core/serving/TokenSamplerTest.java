package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Greedy at temperature 0, reproducible per seed, restricted by top-k, faithful in frequency. */
class TokenSamplerTest {

    private static final float[] PROBABILITIES = {0.1f, 0.6f, 0.05f, 0.25f};

    @Test
    void temperatureZeroAlwaysTakesTheMostLikelyToken() {
        TokenSampler greedy = new TokenSampler(0, 0, 1);
        for (int i = 0; i < 100; i++) {
            assertThat(greedy.next(PROBABILITIES)).isEqualTo(1);
        }
    }

    @Test
    void theSameSeedDrawsTheSameSequenceAndAnotherSeedAnother() {
        int[] first = draws(new TokenSampler(1.0, 0, 42), 200);
        int[] again = draws(new TokenSampler(1.0, 0, 42), 200);
        int[] other = draws(new TokenSampler(1.0, 0, 43), 200);

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void drawsFollowTheDistributionAtTemperatureOne() {
        int[] counts = new int[PROBABILITIES.length];
        for (int id : draws(new TokenSampler(1.0, 0, 7), 100_000)) {
            counts[id]++;
        }
        for (int i = 0; i < counts.length; i++) {
            // 100,000 draws: the standard error of each share is at most 0.0016.
            assertThat(counts[i] / 100_000.0)
                    .isCloseTo(PROBABILITIES[i], org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void topKDrawsOnlyFromTheKMostLikelyTokens() {
        int[] counts = new int[PROBABILITIES.length];
        for (int id : draws(new TokenSampler(1.0, 2, 7), 10_000)) {
            counts[id]++;
        }
        assertThat(counts[0]).isZero();
        assertThat(counts[2]).isZero();
        assertThat(counts[1] / 10_000.0)
                .isCloseTo(0.6 / 0.85, org.assertj.core.data.Offset.offset(0.02));
    }

    @Test
    void aLowTemperatureSharpensTheDistribution() {
        int likely = 0;
        for (int id : draws(new TokenSampler(0.25, 0, 3), 10_000)) {
            likely += id == 1 ? 1 : 0;
        }
        // p^4 renormalized: 0.6^4 / (0.1^4 + 0.6^4 + 0.05^4 + 0.25^4) = 0.970.
        assertThat(likely / 10_000.0).isCloseTo(0.970, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new TokenSampler(-1, 0, 1)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new TokenSampler(Double.NaN, 0, 1))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> new TokenSampler(1, -2, 1)).hasMessageContaining("top-k");
    }

    private static int[] draws(TokenSampler sampler, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.next(PROBABILITIES);
        }
        return out;
    }
}
