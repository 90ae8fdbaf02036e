package io.rnnstream.demo.report;

import io.rnnstream.cells.CellsHtml;
import io.rnnstream.demo.DemoSummary;
import io.rnnstream.demo.Heatmap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The demo's report as one self-contained HTML file. The charts are drawn by JFreeChart and written
 * into the page as inline SVG by JFreeSVG, so the page needs no network and runs no script: it
 * opens the same in a browser, a mail client or a CI artifact viewer.
 */
public final class HtmlReport {

    private static final int WIDTH = 1000;
    private static final String STYLE =
            "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1040px;padding:0 1em;"
                    + "color:#222;line-height:1.4}"
                    + "svg{display:block;max-width:100%;height:auto}"
                    + "figure{margin:1em 0 2em}figcaption{color:#555;font-size:0.9em}"
                    + "table{border-collapse:collapse;margin:0.5em 0 1.5em;max-width:100%}"
                    + "th,td{border:1px solid #ddd;padding:0.25em 0.6em;text-align:left;"
                    + "vertical-align:top;overflow-wrap:break-word}"
                    + "thead th{background:#f3f3f3}"
                    // The last column holds values and records that may not break at spaces.
                    + "td:last-child{overflow-wrap:anywhere;min-width:14em}"
                    + "table.confusion{font-size:0.9em}table.confusion td{text-align:right;min-width:2.5em}"
                    + ".row{display:flex;gap:2em;flex-wrap:wrap}"
                    // Keys and next symbols read best on one line; the event's text wraps.
                    + "table.next td:nth-child(-n+2),table.next td:last-child{white-space:nowrap}"
                    + "table.next{font-size:0.9em}"
                    + "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;"
                    + "padding:1em}"
                    + CellsHtml.style();

    private HtmlReport() {}

    public static void write(DemoSummary summary, Path target) throws IOException {
        Files.writeString(target, html(summary), StandardCharsets.UTF_8);
    }

    static String html(DemoSummary summary) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>rnnstream demo report</title><style>")
                .append(STYLE)
                .append("</style></head><body>\n");
        h.append("<h1>rnnstream demo (")
                .append(Html.escape(summary.mode()))
                .append(" mode)</h1>\n");
        h.append("<p>A real Kafka broker and the streaming classifier on a local Flink runtime,")
                .append(" two classifiers and a language model served side by side, one retraining")
                .append(" round picked up live.")
                .append(" Every streamed classification is compared with the offline")
                .append(" classification of the same sequence by the same model version.</p>\n");
        h.append("<nav>")
                .append(
                        "<a href=\"#summary\">Summary</a> · <a href=\"#versions\">Model versions</a>")
                .append(" · <a href=\"#time\">Over time</a> · <a href=\"#latency\">Latency</a>")
                .append(" · <a href=\"#dead-letters\">Dead letters</a>")
                .append(" · <a href=\"#retraining\">Retraining</a>")
                .append(" · <a href=\"#activations\">Hidden-unit activations</a>")
                .append(" · <a href=\"#language-model\">Language model</a></nav>\n");
        summarySection(h, summary);
        versionsSection(h, summary);
        timelineSection(h, summary);
        latencySection(h, summary);
        deadLetterSection(h, summary);
        retrainingSection(h, summary.retraining());
        heatmapSection(h, summary);
        LanguageModelSection.append(h, summary.languageModel(), WIDTH);
        return h.append("</body></html>\n").toString();
    }

    private static void summarySection(StringBuilder h, DemoSummary s) {
        h.append(
                String.format(
                        java.util.Locale.ROOT,
                        "<h2 id=\"summary\">Summary (%.0f s)</h2>\n",
                        s.seconds()));
        h.append(ReportTables.useCases(s)).append(ReportTables.keyFigures(s));
        h.append("<details><summary>As printed by the demo</summary><pre>")
                .append(Html.escape(s.text()))
                .append("</pre></details>\n");
    }

    private static void versionsSection(StringBuilder h, DemoSummary s) {
        h.append("<h2 id=\"versions\">Model versions</h2>\n");
        h.append(
                Html.figure(
                        SvgChart.svg(
                                AccuracyCharts.perVersion(s), "accuracy-per-version", WIDTH, 360),
                        "Each point is a model version's accuracy on the sequences it classified in"
                                + " the stream; the bar is the 95% Wilson interval, which shows how"
                                + " little a few dozen sequences can tell apart."));
        h.append("<h3>Confusion matrices (streamed; rows: actual, columns: predicted)</h3>\n");
        for (DemoSummary.UseCase u : s.useCases()) {
            h.append("<div class=\"row\">");
            for (Map.Entry<Long, long[][]> e : u.confusionByVersion().entrySet()) {
                h.append("<div><h4>")
                        .append(Html.escape(u.model() + " v" + e.getKey()))
                        .append("</h4>")
                        .append(ReportTables.confusion(u.labels(), e.getValue()))
                        .append("</div>");
            }
            if (u.confusionByVersion().size() > 1) {
                h.append("<div><h4>")
                        .append(Html.escape(u.model() + ", all versions"))
                        .append("</h4>")
                        .append(ReportTables.confusion(u.labels(), u.confusion()))
                        .append("</div>");
            }
            h.append("</div>\n");
        }
    }

    private static void timelineSection(StringBuilder h, DemoSummary s) {
        h.append("<h2 id=\"time\">Over time</h2>\n");
        String swaps = s.swaps().isEmpty() ? " No model version took over during this run." : "";
        h.append(
                Html.figure(
                        SvgChart.svg(TimelineCharts.throughput(s), "throughput", WIDTH, 340),
                        "Events sent per second, and the events covered by the classifications"
                                + " that became visible in each second (a sequence counts when the"
                                + " checkpoint that commits its result completes). The gap is the"
                                + " retraining round."
                                + swaps));
        h.append(
                Html.figure(
                        SvgChart.svg(TimelineCharts.accuracy(s), "running-accuracy", WIDTH, 340),
                        "Each model's streamed accuracy over the sequences classified so far."
                                + swaps));
    }

    private static void latencySection(StringBuilder h, DemoSummary s) {
        h.append("<h2 id=\"latency\">Latency</h2>\n");
        h.append(
                Html.figure(
                        SvgChart.svg(LatencyChart.cdf(s.latencies()), "latency", WIDTH, 360),
                        "From the moment the demo sent a sequence's last event to its"
                                + " classification's log-append time on the results topic, and to"
                                + " the moment a read_committed reader saw it."));
    }

    private static void deadLetterSection(StringBuilder h, DemoSummary s) {
        h.append("<h2 id=\"dead-letters\">Dead letters</h2>\n");
        h.append("<p>Records the job could not classify, routed to the dead-letter topic with the")
                .append(" reason and message headers; the demo injects one of each kind on")
                .append(" purpose.</p>\n");
        h.append(ReportTables.deadLetters(s));
    }

    private static void retrainingSection(StringBuilder h, DemoSummary.Retraining r) {
        h.append("<h2 id=\"retraining\">Retraining</h2>\n");
        if (!Double.isNaN(r.serviceScore()) && !Double.isNaN(r.candidateScore())) {
            h.append(
                    Html.figure(
                            SvgChart.svg(AccuracyCharts.gate(r), "retraining-gate", WIDTH, 340),
                            "Both versions scored on the same held-out sequences; the candidate"
                                    + " is published if it scores at least the version in service"
                                    + " minus the margin."));
        }
        h.append(ReportTables.retraining(r));
    }

    /** The actual label and what the model says after the last step. */
    private static String caption(Heatmap map) {
        int last = map.steps().size() - 1;
        if (last < 0) {
            return "Actual label: " + map.actual() + "; the sequence has no steps.";
        }
        int predicted = map.predictedAt(last);
        return String.format(
                java.util.Locale.ROOT,
                "Actual label: %s. After the last step the model says %s (p = %.2f).",
                map.actual(),
                map.labels().get(predicted),
                map.probabilities()[last][predicted]);
    }

    private static void heatmapSection(StringBuilder h, DemoSummary s) {
        h.append("<h2 id=\"activations\">Hidden-unit activations</h2>\n")
                .append("<p>Each chart reads one streamed sequence step by step through the")
                .append(" serving step the stream uses, with the model version that classified")
                .append(" it. Above: the label the model would give if the sequence ended at that")
                .append(" step (colour) and its probability (height). Below: the top recurrent")
                .append(" layer's hidden units (rows) after each step (columns).</p>\n");
        int i = 0;
        for (Heatmap map : s.heatmaps()) {
            int height = map.steps().size() <= HeatmapChart.WORD_TICKS ? 560 : 500;
            h.append(
                    Html.figure(
                            SvgChart.svg(HeatmapChart.chart(map), "heatmap-" + i++, WIDTH, height),
                            caption(map)));
        }
    }
}
