package io.rnnstream.cli;

import io.rnnstream.core.inspect.CellActivations;
import io.rnnstream.core.inspect.TextProperty;
import io.rnnstream.core.inspect.UnitScores;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code rnnstream cells} as one self-contained HTML page without JavaScript: a table of
 * the best units per property with their correlations, a colour legend, and the text coloured by a
 * unit's activation, one colour per character (red positive, blue negative, white near zero), as in
 * Karpathy, Johnson and Fei-Fei, "Visualizing and Understanding Recurrent Networks" (2015).
 */
final class CellsReport {

    /** A unit to show, with the heading above its text. */
    record Panel(String heading, int unit) {}

    private CellsReport() {}

    static String render(
            String title,
            String description,
            String text,
            int shownCharacters,
            CellActivations activations,
            Map<TextProperty, UnitScores.PropertyScores> scores,
            List<Panel> panels) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>")
                .append(escape(title))
                .append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;")
                .append("color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
                .append("td.r{text-align:right;font-variant-numeric:tabular-nums}")
                .append("pre.cells{white-space:pre-wrap;word-break:break-all;")
                .append("font-family:ui-monospace,monospace;font-size:13px;line-height:1.5;")
                .append("border:1px solid #ddd;padding:.6em}")
                .append(".legend{display:flex;align-items:center;gap:.6em;margin:1em 0}")
                .append(".bar{width:16em;height:1em;border:1px solid #999;background:")
                .append("linear-gradient(to right,")
                .append(colour(-1))
                .append(",")
                .append(colour(0))
                .append(",")
                .append(colour(1))
                .append(")}")
                .append("</style></head><body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n<p>")
                .append(escape(description))
                .append("</p>\n");

        html.append("<h2>Best units per property</h2>\n")
                .append("<p>Pearson correlation of each unit's activation, after each character,")
                .append(" with the property at that character; ranked by magnitude. A property")
                .append(" that never changes in the text has no score.</p>\n")
                .append("<table><tr><th>property</th><th>best unit</th><th>r</th>")
                .append("<th>next best</th></tr>\n");
        for (UnitScores.PropertyScores property : scores.values()) {
            html.append("<tr><td>")
                    .append(escape(property.property().description()))
                    .append("</td>");
            UnitScores.Score best = property.best();
            if (best == null) {
                html.append("<td colspan=\"3\">constant in this text</td></tr>\n");
                continue;
            }
            html.append("<td>")
                    .append(best.label().label())
                    .append("</td><td class=\"r\">")
                    .append(format(best.correlation()))
                    .append("</td><td>");
            List<UnitScores.Score> rest = property.ranked().subList(1, property.ranked().size());
            for (int i = 0; i < rest.size(); i++) {
                html.append(i == 0 ? "" : ", ")
                        .append(rest.get(i).label().label())
                        .append(" (")
                        .append(format(rest.get(i).correlation()))
                        .append(")");
            }
            html.append("</td></tr>\n");
        }
        html.append("</table>\n");

        html.append("<div class=\"legend\"><span>activation: &minus;max</span>")
                .append("<span class=\"bar\"></span><span>+max</span>")
                .append("<span>(0 is white; each panel scales to its unit's largest")
                .append(" magnitude, shown in its heading)</span></div>\n");
        int shown = Math.min(shownCharacters, activations.steps());
        for (Panel panel : panels) {
            double scale = maxAbs(activations, panel.unit(), shown);
            html.append("<h3>")
                    .append(escape(panel.heading()))
                    .append(" &middot; max |activation| ")
                    .append(format(scale))
                    .append("</h3>\n<pre class=\"cells\">");
            int t = 0;
            for (int i = 0; i < text.length() && t < shown; t++) {
                int codePoint = text.codePointAt(i);
                double value = activations.value(t, panel.unit()) / (scale == 0 ? 1 : scale);
                html.append("<span style=\"background:")
                        .append(colour(value))
                        .append("\">")
                        .append(escape(Character.toString(codePoint)))
                        .append("</span>");
                i += Character.charCount(codePoint);
            }
            html.append("</pre>\n");
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    /** White at 0, towards red for +1 and blue for -1. */
    static String colour(double value) {
        double v = Math.max(-1, Math.min(1, value));
        int[] end = v >= 0 ? new int[] {214, 39, 40} : new int[] {31, 119, 180};
        double a = Math.abs(v);
        return String.format(
                Locale.ROOT,
                "#%02x%02x%02x",
                (int) Math.round(255 + (end[0] - 255) * a),
                (int) Math.round(255 + (end[1] - 255) * a),
                (int) Math.round(255 + (end[2] - 255) * a));
    }

    private static double maxAbs(CellActivations activations, int unit, int steps) {
        double max = 0;
        for (int t = 0; t < steps; t++) {
            max = Math.max(max, Math.abs(activations.value(t, unit)));
        }
        return max;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
