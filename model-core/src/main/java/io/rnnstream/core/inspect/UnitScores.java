package io.rnnstream.core.inspect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores every unit of {@link CellActivations} against each {@link TextProperty} by Pearson
 * correlation over the text, and ranks the units per property by the correlation's magnitude (a
 * unit that falls as a property rises tracks it as well as one that rises).
 */
public final class UnitScores {

    /** One unit's correlation with one property. */
    public record Score(int unit, CellActivations.Unit label, double correlation) {}

    /** The ranked units of one property, best first; empty when the property never varies. */
    public record PropertyScores(TextProperty property, List<Score> ranked) {

        public Score best() {
            return ranked.isEmpty() ? null : ranked.get(0);
        }
    }

    private UnitScores() {}

    /**
     * The {@code keep} best units for each property of {@code properties} over the symbols {@code
     * text} was encoded to.
     */
    public static Map<TextProperty, PropertyScores> rank(
            CellActivations activations, String text, List<TextProperty> properties, int keep) {
        Map<TextProperty, PropertyScores> out = new LinkedHashMap<>();
        for (TextProperty property : properties) {
            double[] target = property.perSymbol(text);
            if (target.length != activations.steps()) {
                throw new IllegalArgumentException(
                        "the text has "
                                + target.length
                                + " characters, the activations "
                                + activations.steps()
                                + " steps; score a character model on the text it read");
            }
            out.put(property, new PropertyScores(property, rank(activations, target, keep)));
        }
        return out;
    }

    /** The {@code keep} units whose series correlate most with {@code target}, best first. */
    public static List<Score> rank(CellActivations activations, double[] target, int keep) {
        List<Score> scores = new ArrayList<>();
        if (variance(target) == 0) {
            return scores;
        }
        for (int u = 0; u < activations.unitCount(); u++) {
            double r = correlation(activations.series(u), target);
            if (!Double.isNaN(r)) {
                scores.add(new Score(u, activations.unit(u), r));
            }
        }
        scores.sort(
                Comparator.comparingDouble((Score s) -> -Math.abs(s.correlation()))
                        .thenComparingInt(Score::unit));
        return List.copyOf(scores.subList(0, Math.min(keep, scores.size())));
    }

    /** Pearson's r, NaN when either series is constant. */
    static double correlation(double[] x, double[] y) {
        double meanX = mean(x);
        double meanY = mean(y);
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            xy += dx * dy;
            xx += dx * dx;
            yy += dy * dy;
        }
        return xx == 0 || yy == 0 ? Double.NaN : xy / Math.sqrt(xx * yy);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double variance(double[] values) {
        double mean = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum;
    }
}
