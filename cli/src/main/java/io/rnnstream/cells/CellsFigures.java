package io.rnnstream.cells;

import io.rnnstream.core.inspect.CellActivations;
import io.rnnstream.core.inspect.TextProperty;
import io.rnnstream.core.inspect.UnitScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a page of hidden cells shows, as plain values: the best units per property with their
 * correlations, and the text coloured by chosen units. Plain values so that a demo run can keep
 * them in its summary.json and draw them again without the model.
 *
 * @param text the characters shown, one colour each
 * @param properties per property, its best units (none when the property never varies)
 * @param panels the units shown over {@code text}
 */
public record CellsFigures(String text, List<PropertyRow> properties, List<Panel> panels) {

    /** One unit's Pearson correlation with a property, e.g. {@code L0.c3}, -0.61. */
    public record RankedUnit(String unit, double correlation) {}

    /**
     * A property and its best units, best first.
     *
     * @param property what the property is, e.g. "position in the line"
     * @param ranked empty when the property is constant in the text
     */
    public record PropertyRow(String property, List<RankedUnit> ranked) {}

    /**
     * One unit over the shown text.
     *
     * @param heading what the unit is and why it is shown
     * @param values its activation after each shown character
     */
    public record Panel(String heading, float[] values) {

        /** The largest magnitude of the unit over the shown text: the colour scale's end. */
        public double scale() {
            double max = 0;
            for (float v : values) {
                max = Math.max(max, Math.abs(v));
            }
            return max;
        }
    }

    /** A unit to show: a heading and the unit's index in {@link CellActivations}. */
    public record Choice(String heading, int unit) {}

    /**
     * The figures of {@code activations} recorded over {@code text}, ranked as {@code scores}, with
     * the first {@code shownCharacters} characters coloured by each chosen unit.
     */
    public static CellsFigures of(
            String text,
            int shownCharacters,
            CellActivations activations,
            Map<TextProperty, UnitScores.PropertyScores> scores,
            List<Choice> choices) {
        List<PropertyRow> rows = new ArrayList<>();
        for (UnitScores.PropertyScores property : scores.values()) {
            rows.add(
                    new PropertyRow(
                            property.property().description(),
                            property.ranked().stream()
                                    .map(s -> new RankedUnit(s.label().label(), s.correlation()))
                                    .toList()));
        }
        int shown = Math.min(shownCharacters, activations.steps());
        String shownText =
                text.codePointCount(0, text.length()) > shown
                        ? text.substring(0, text.offsetByCodePoints(0, shown))
                        : text;
        List<Panel> panels = new ArrayList<>();
        for (Choice choice : choices) {
            float[] values = new float[shown];
            for (int t = 0; t < shown; t++) {
                values[t] = activations.value(t, choice.unit());
            }
            panels.add(new Panel(choice.heading(), values));
        }
        return new CellsFigures(shownText, List.copyOf(rows), List.copyOf(panels));
    }

    /** The best unit of each property that varies, headed by the property and its correlation. */
    public static List<Choice> bestUnits(Map<TextProperty, UnitScores.PropertyScores> scores) {
        List<Choice> choices = new ArrayList<>();
        for (UnitScores.PropertyScores property : scores.values()) {
            UnitScores.Score best = property.best();
            if (best != null) {
                choices.add(
                        new Choice(
                                String.format(
                                        Locale.ROOT,
                                        "%s: unit %s (r = %+.3f)",
                                        property.property().description(),
                                        best.label().label(),
                                        best.correlation()),
                                best.unit()));
            }
        }
        return choices;
    }
}
