package io.rnnstream.demo.report;

import java.util.List;
import java.util.Locale;

/** Escaping and the small HTML pieces the report's sections share. */
final class Html {

    private Html() {}

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** A table with a header row; every cell is escaped text. */
    static String table(List<String> header, List<List<String>> rows) {
        return table(null, header, rows);
    }

    /** The same with a CSS class on the table, for styles of its own; null for none. */
    static String table(String cssClass, List<String> header, List<List<String>> rows) {
        StringBuilder t =
                new StringBuilder(
                        cssClass == null
                                ? "<table><thead><tr>"
                                : "<table class=\"" + escape(cssClass) + "\"><thead><tr>");
        header.forEach(h -> t.append("<th>").append(escape(h)).append("</th>"));
        t.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            t.append("<tr>");
            row.forEach(cell -> t.append("<td>").append(escape(cell)).append("</td>"));
            t.append("</tr>");
        }
        return t.append("</tbody></table>\n").toString();
    }

    /** A figure: the chart's SVG and a caption saying how to read it. */
    static String figure(String svg, String caption) {
        return "<figure>" + svg + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
    }

    static String fraction(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    /** E.g. {@code 0.652-0.895}; a dash when there is no interval. */
    static String interval(List<Double> bounds) {
        return bounds.size() == 2
                ? String.format(Locale.ROOT, "%.3f-%.3f", bounds.get(0), bounds.get(1))
                : "-";
    }

    static String abbreviate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }
}
