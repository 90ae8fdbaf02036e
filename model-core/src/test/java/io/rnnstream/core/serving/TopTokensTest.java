package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The top k of a distribution against sorting every symbol, ties included. */
class TopTokensTest {

    @Test
    void equalsTheFirstKOfAFullSortWithTiesToTheSmallerId() {
        Random random = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(300);
            float[] p = new float[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values, so that ties are common.
                p[i] = random.nextInt(7) / 7f;
            }
            int k = 1 + random.nextInt(8);

            List<TopTokens.Candidate> top = TopTokens.of(p, k);

            List<Integer> expected =
                    IntStream.range(0, n)
                            .boxed()
                            .sorted(
                                    Comparator.<Integer>comparingDouble(i -> -p[i])
                                            .thenComparingInt(i -> i))
                            .limit(k)
                            .toList();
            assertThat(top.stream().map(TopTokens.Candidate::id).toList()).isEqualTo(expected);
            for (TopTokens.Candidate c : top) {
                assertThat(c.probability()).isEqualTo(p[c.id()]);
            }
        }
    }
}
