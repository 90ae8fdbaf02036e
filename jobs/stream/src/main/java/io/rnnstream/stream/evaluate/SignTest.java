package io.rnnstream.stream.evaluate;

/**
 * The exact one-sided sign test on paired correctness (McNemar's exact test): of the sequences
 * where exactly one of two versions is right, the candidate is right on {@code better} and the
 * other on {@code worse}. If the two were equally good, each such sequence would go either way with
 * probability 1/2; the p-value is the probability of the candidate winning at least {@code better}
 * of the {@code better + worse} under that hypothesis. Sequences both get right or both get wrong
 * say nothing about which is better and do not enter.
 */
public final class SignTest {

    private SignTest() {}

    /** P(X >= better) for X ~ Binomial(better + worse, 1/2); 1 when no sequence is discordant. */
    public static double oneSidedP(long better, long worse) {
        if (better < 0 || worse < 0) {
            throw new IllegalArgumentException(
                    "counts must be >= 0, were " + better + " and " + worse);
        }
        long n = better + worse;
        if (better == 0) {
            return 1;
        }
        // Sum the binomial probabilities in log space: 2^-n underflows a double beyond n = 1074.
        double logHalfToN = -n * Math.log(2);
        double logChoose = 0; // log C(n, k), starting at k = 0
        double sum = 0;
        for (long k = 0; k <= n; k++) {
            if (k > 0) {
                logChoose += Math.log((double) (n - k + 1) / k);
            }
            if (k >= better) {
                sum += Math.exp(logChoose + logHalfToN);
            }
        }
        return Math.min(1, sum);
    }
}
