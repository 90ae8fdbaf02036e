package io.rnnstream.retrain;

import io.rnnstream.core.eval.Evaluation;
import java.util.List;
import java.util.Locale;

/**
 * The Wilson score interval of an accuracy: the range of true accuracies consistent, at 95%
 * confidence, with the correct share measured on a hold-out. Wilson rather than the normal
 * approximation because hold-outs are small and accuracies near 1, where the normal interval leaves
 * [0, 1] and collapses to a point at 0 or n correct.
 *
 * @param accuracy the measured share of correct classifications
 * @param low lower end
 * @param high upper end
 * @param sequences the number of held-out sequences
 */
public record AccuracyInterval(double accuracy, double low, double high, long sequences) {

    /** The normal quantile of a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;

    static AccuracyInterval of(Evaluation evaluation) {
        long[][] confusion = evaluation.confusionMatrix();
        long correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            correct += confusion[i][i];
        }
        return of(correct, evaluation.total());
    }

    /** The interval of {@code correct} right out of {@code n}; {@code [0, 1]} when n is 0. */
    public static AccuracyInterval of(long correct, long n) {
        if (n <= 0) {
            return new AccuracyInterval(0, 0, 1, 0);
        }
        double p = (double) correct / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // At 0 or n correct one end is exactly 0 or 1; rounding would leave it a hair inside.
        return new AccuracyInterval(
                p,
                correct == 0 ? 0 : Math.max(0, centre - half),
                correct == n ? 1 : Math.min(1, centre + half),
                n);
    }

    /** {@code [low, high]} rounded to 4 decimals, for the JSON report. */
    List<Double> bounds() {
        return List.of(round(low), round(high));
    }

    /** E.g. {@code accuracy 0.8500 (95% Wilson 0.7200-0.9300)}. */
    String describe() {
        return String.format(
                Locale.ROOT, "accuracy %.4f (95%% Wilson %.4f-%.4f)", accuracy, low, high);
    }

    private static double round(double value) {
        return Math.round(value * 1e4) / 1e4;
    }
}
