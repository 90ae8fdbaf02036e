package io.rnnstream.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's report as one self-contained HTML file: charts are inline SVG generated here, so the
 * page needs no network and no JavaScript library. Confusion matrices, throughput and accuracy over
 * time, and heat maps of hidden-unit activations.
 */
public final class HtmlReport {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private HtmlReport() {}

    public static void write(DemoSummary summary, DemoPlan plan, Path target) throws IOException {
        Files.writeString(target, html(summary, plan), StandardCharsets.UTF_8);
    }

    static String html(DemoSummary summary, DemoPlan plan) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>rnnstream demo report</title><style>")
                .append(
                        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}")
                .append("svg{display:block;margin:0.5em 0 1.5em}")
                .append(".row{display:flex;gap:3em;flex-wrap:wrap}")
                .append("text{font-size:11px}</style></head><body>\n");
        h.append("<h1>rnnstream demo (").append(plan.mode()).append(" mode)</h1>\n");
        h.append("<p>A real Kafka broker and the streaming classifier on a local Flink runtime,")
                .append(" two models served side by side, one retraining round picked up live.")
                .append(" Every streamed classification is compared with the offline")
                .append(" classification of the same sequence by the same model version.</p>\n");
        h.append("<pre>").append(escape(summary.text())).append("</pre>\n");
        h.append(
                "<h2>Confusion matrices (streamed; rows: actual, columns: predicted)</h2>\n<div class=\"row\">");
        for (DemoSummary.UseCase u : summary.useCases()) {
            h.append("<div><h3>")
                    .append(escape(u.model() + ": " + u.description()))
                    .append("</h3>")
                    .append(confusion(u))
                    .append("</div>");
        }
        h.append(
                "</div>\n<h2>Throughput over time</h2>\n<p>Events sent per second, and the"
                        + " events covered by the classifications that became visible in each second"
                        + " (a sequence counts when its result is committed).</p>\n");
        List<DemoSummary.TimelinePoint> t = summary.timeline();
        Map<String, double[]> rates = new LinkedHashMap<>();
        rates.put("events sent/s", series(t, p -> (double) p.events()));
        rates.put("events classified/s", series(t, p -> (double) p.eventsClassified()));
        int firstSecond = t.isEmpty() ? 0 : t.get(0).second();
        h.append(lineChart(rates, "per second", firstSecond));
        h.append("<h2>Running streamed accuracy over time</h2>\n");
        Map<String, double[]> accuracy = new LinkedHashMap<>();
        for (DemoSummary.UseCase u : summary.useCases()) {
            accuracy.put(
                    u.model(),
                    series(t, p -> p.runningAccuracy().getOrDefault(u.model(), Double.NaN)));
        }
        h.append(lineChart(accuracy, "accuracy", firstSecond));
        h.append("<h2>Hidden-unit activations</h2>\n<p>Rows are units of the top recurrent")
                .append(" layer, columns are steps; red is positive, blue negative. The grey bar")
                .append(" above is the probability of the true label after each step.</p>\n");
        for (Heatmap map : summary.heatmaps()) {
            h.append("<h3>").append(escape(map.title())).append("</h3>").append(heatmap(map));
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private interface Value {
        double of(DemoSummary.TimelinePoint point);
    }

    private static double[] series(List<DemoSummary.TimelinePoint> points, Value value) {
        double[] values = new double[points.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = value.of(points.get(i));
        }
        return values;
    }

    static String confusion(DemoSummary.UseCase u) {
        int n = u.labels().size();
        int cell = 48;
        int left = 90;
        int top = 30;
        StringBuilder s = svg(left + n * cell + 40, top + n * cell + 70);
        s.append(text(left + n * cell / 2, 12, "predicted", "middle"));
        for (int i = 0; i < n; i++) {
            long rowTotal = 0;
            for (long c : u.confusion()[i]) {
                rowTotal += c;
            }
            s.append(text(left - 6, top + i * cell + cell / 2 + 4, u.labels().get(i), "end"));
            s.append(rotated(left + i * cell + cell / 2, top + n * cell + 12, u.labels().get(i)));
            for (int j = 0; j < n; j++) {
                long count = u.confusion()[i][j];
                double share = rowTotal == 0 ? 0 : count / (double) rowTotal;
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
                                        + " fill=\"rgb(%d,%d,%d)\" stroke=\"#fff\"/>",
                                left + j * cell,
                                top + i * cell,
                                cell,
                                cell,
                                (int) (255 - share * 200),
                                (int) (255 - share * 150),
                                255 - (int) (share * 60)));
                s.append(
                        text(
                                left + j * cell + cell / 2,
                                top + i * cell + cell / 2 + 4,
                                Long.toString(count),
                                "middle"));
            }
        }
        return s.append("</svg>").toString();
    }

    static String lineChart(Map<String, double[]> series, String yLabel, int firstSecond) {
        int width = 800;
        int height = 220;
        int left = 50;
        int bottom = 30;
        int plotWidth = width - left - 240;
        int plotHeight = height - bottom - 10;
        int points = series.values().stream().mapToInt(v -> v.length).max().orElse(0);
        double max = 1;
        for (double[] values : series.values()) {
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        StringBuilder s = svg(width, height);
        s.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                        left,
                        left,
                        10 + plotHeight,
                        left,
                        10 + plotHeight,
                        left + plotWidth,
                        10 + plotHeight));
        s.append(text(left - 4, 14, format(max), "end"));
        s.append(text(left - 4, 10 + plotHeight, "0", "end"));
        s.append(text(left, 10 + plotHeight + 14, Integer.toString(firstSecond), "middle"));
        s.append(text(left + plotWidth / 2, height - 4, "seconds since start", "middle"));
        s.append(
                text(
                        left + plotWidth,
                        10 + plotHeight + 14,
                        Integer.toString(firstSecond + points - 1),
                        "end"));
        s.append(text(left + 4, 24, yLabel, "start"));
        int colour = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            String stroke = COLOURS[colour % COLOURS.length];
            List<String> xy = new ArrayList<>();
            double[] values = e.getValue();
            for (int i = 0; i < values.length; i++) {
                if (Double.isNaN(values[i])) {
                    continue;
                }
                double x = left + (points <= 1 ? 0 : i * plotWidth / (double) (points - 1));
                double y = 10 + plotHeight - values[i] / max * plotHeight;
                xy.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            s.append("<polyline fill=\"none\" stroke=\"")
                    .append(stroke)
                    .append("\" stroke-width=\"1.5\" points=\"")
                    .append(String.join(" ", xy))
                    .append("\"/>");
            int legendY = 20 + colour * 16;
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>",
                            left + plotWidth + 12,
                            legendY - 4,
                            stroke));
            s.append(text(left + plotWidth + 28, legendY, e.getKey(), "start"));
            colour++;
        }
        return s.append("</svg>").toString();
    }

    static String heatmap(Heatmap map) {
        int steps = map.steps().size();
        int units = map.values().length;
        boolean words = steps <= 30;
        int cellWidth = words ? 44 : Math.max(4, Math.min(14, 900 / Math.max(1, steps)));
        int cellHeight = 10;
        int left = 40;
        int top = 24;
        int labelRoom = words ? 70 : 20;
        StringBuilder s = svg(left + steps * cellWidth + 10, top + units * cellHeight + labelRoom);
        for (int t = 0; t < steps; t++) {
            double p = map.probabilities()[t];
            int barHeight = (int) Math.round(p * 16);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#999\">"
                                    + "<title>p(true label) = %.3f</title></rect>",
                            left + t * cellWidth + 1,
                            top - 4 - barHeight,
                            cellWidth - 2,
                            barHeight,
                            p));
            for (int u = 0; u < units; u++) {
                double v = Math.max(-1, Math.min(1, map.values()[u][t]));
                int fade = (int) Math.round(255 * (1 - Math.abs(v)));
                String fill =
                        v >= 0
                                ? String.format(Locale.ROOT, "rgb(255,%d,%d)", fade, fade)
                                : String.format(Locale.ROOT, "rgb(%d,%d,255)", fade, fade);
                s.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                                        + "<title>unit %d, step %d: %.3f</title></rect>",
                                left + t * cellWidth,
                                top + u * cellHeight,
                                cellWidth,
                                cellHeight,
                                fill,
                                u,
                                t + 1,
                                v));
            }
            if (words || t % 10 == 9) {
                int x = left + t * cellWidth + cellWidth / 2;
                int y = top + units * cellHeight + 12;
                s.append(
                        words
                                ? rotated(x, y, map.steps().get(t))
                                : text(x, y, map.steps().get(t), "middle"));
            }
        }
        s.append(text(left - 4, top + 8, "unit 0", "end"));
        return s.append("</svg>").toString();
    }

    /** A label slanted downwards to the left, ending at (x, y), so long labels do not collide. */
    private static String rotated(int x, int y, String content) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-40 %d %d)\">%s</text>",
                x,
                y,
                x,
                y,
                escape(abbreviate(content, 12)));
    }

    private static StringBuilder svg(int width, int height) {
        return new StringBuilder(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">",
                        width,
                        height));
    }

    private static String text(int x, int y, String content, String anchor) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>",
                x,
                y,
                anchor,
                escape(content));
    }

    private static String format(double value) {
        return value >= 10
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String abbreviate(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
