package io.rnnstream.cells;

import java.util.List;
import java.util.Locale;

/**
 * Hidden cells as HTML without JavaScript: a table of the best units per property with their
 * correlations, a colour legend, and the text coloured by a unit's activation, one colour per
 * character (red positive, blue negative, white near zero), as in Karpathy, Johnson and Fei-Fei,
 * "Visualizing and Understanding Recurrent Networks" (2015). Used by the {@code cells} page and by
 * the demo's report.
 */
public final class CellsHtml {

    private CellsHtml() {}

    /** The CSS the section's classes need. */
    public static String style() {
        return "td.r{text-align:right;font-variant-numeric:tabular-nums}"
                + "pre.cells{white-space:pre-wrap;word-break:break-all;"
                + "font-family:ui-monospace,monospace;font-size:13px;line-height:1.5;"
                // White under the text, whatever a surrounding page gives pre: 0 is white.
                + "border:1px solid #ddd;padding:.6em;background:#fff}"
                + ".legend{display:flex;align-items:center;gap:.6em;margin:1em 0}"
                + ".legend span:first-child{white-space:nowrap}"
                + ".bar{width:16em;height:1em;border:1px solid #999;background:"
                + "linear-gradient(to right,"
                + colour(-1)
                + ","
                + colour(0)
                + ","
                + colour(1)
                + ")}";
    }

    /**
     * The table, the legend and the panels; headings at {@code level} ({@code h2}) and one below
     * for the panels.
     */
    public static String section(CellsFigures figures, int level) {
        String h = "h" + level;
        String panelHeading = "h" + (level + 1);
        StringBuilder html = new StringBuilder();
        html.append("<")
                .append(h)
                .append(">Best units per property</")
                .append(h)
                .append(">\n")
                .append("<p>Pearson correlation of each unit's activation, after each character,")
                .append(" with the property at that character; ranked by magnitude. A property")
                .append(" that never changes in the text has no score.</p>\n")
                .append("<table><tr><th>property</th><th>best unit</th><th>r</th>")
                .append("<th>next best</th></tr>\n");
        for (CellsFigures.PropertyRow property : figures.properties()) {
            html.append("<tr><td>").append(escape(property.property())).append("</td>");
            if (property.ranked().isEmpty()) {
                html.append("<td colspan=\"3\">constant in this text</td></tr>\n");
                continue;
            }
            CellsFigures.RankedUnit best = property.ranked().get(0);
            html.append("<td>")
                    .append(escape(best.unit()))
                    .append("</td><td class=\"r\">")
                    .append(format(best.correlation()))
                    .append("</td><td>");
            List<CellsFigures.RankedUnit> rest =
                    property.ranked().subList(1, property.ranked().size());
            for (int i = 0; i < rest.size(); i++) {
                html.append(i == 0 ? "" : ", ")
                        .append(escape(rest.get(i).unit()))
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
        String text = figures.text();
        for (CellsFigures.Panel panel : figures.panels()) {
            double scale = panel.scale();
            html.append("<")
                    .append(panelHeading)
                    .append(">")
                    .append(escape(panel.heading()))
                    .append(" &middot; max |activation| ")
                    .append(format(scale))
                    .append("</")
                    .append(panelHeading)
                    .append(">\n<pre class=\"cells\">");
            int t = 0;
            for (int i = 0; i < text.length() && t < panel.values().length; t++) {
                int codePoint = text.codePointAt(i);
                double value = panel.values()[t] / (scale == 0 ? 1 : scale);
                html.append("<span style=\"background:")
                        .append(colour(value))
                        .append("\">")
                        .append(escape(Character.toString(codePoint)))
                        .append("</span>");
                i += Character.charCount(codePoint);
            }
            html.append("</pre>\n");
        }
        return html.toString();
    }

    /** White at 0, towards red for +1 and blue for -1. */
    public static String colour(double value) {
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

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
