package io.rnnstream.core.serving;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a model's output distribution: the most likely one at temperature 0
 * (greedy), otherwise a draw from the distribution sharpened or flattened by the temperature
 * ({@code p^(1/T)}, renormalized), restricted to the {@code k} most likely tokens when {@code topK
 * > 0}. Draws come from a generator seeded by the caller, so the same seed gives the same sequence.
 * Not thread-safe: one per generated sequence.
 */
public final class TokenSampler {

    private final double temperature;
    private final int topK;
    private final SplittableRandom random;

    /**
     * @param temperature 0 for greedy, else positive
     * @param topK how many of the most likely tokens to draw from; 0 for all
     * @param seed the generator's seed
     */
    public TokenSampler(double temperature, int topK, long seed) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be 0 (greedy) or a positive number, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException(
                    "top-k must be 0 (all tokens) or positive, got " + topK);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.random = new SplittableRandom(seed);
    }

    /** The next token's id, given the probability of every token. */
    public int next(float[] probabilities) {
        if (temperature == 0 || topK == 1) {
            return SequenceClassifier.argMax(probabilities);
        }
        int n = probabilities.length;
        double[] weights = new double[n];
        double threshold = topK == 0 || topK >= n ? -1 : kthLargest(probabilities, topK);
        double total = 0;
        for (int i = 0; i < n; i++) {
            // Ties at the threshold may admit a few more than k tokens; they are equally likely.
            if (probabilities[i] >= threshold && probabilities[i] > 0) {
                weights[i] = Math.exp(Math.log(probabilities[i]) / temperature);
                total += weights[i];
            }
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            return SequenceClassifier.argMax(probabilities);
        }
        double draw = random.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < n; i++) {
            if (weights[i] > 0) {
                draw -= weights[i];
                last = i;
                if (draw < 0) {
                    return i;
                }
            }
        }
        return last;
    }

    private static double kthLargest(float[] values, int k) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - k];
    }
}
