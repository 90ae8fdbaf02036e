package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's tables: key figures, confusion matrices, dead letters and the retraining round. */
final class ReportTables {

    /** Longest original value shown for a dead letter; the rest is in the dead-letter topic. */
    static final int VALUE_WIDTH = 120;

    private ReportTables() {}

    /** Per use case: sequences, streamed and offline accuracy, agreement, versions served. */
    static String useCases(DemoSummary summary) {
        List<List<String>> rows = new ArrayList<>();
        for (DemoSummary.UseCase u : summary.useCases()) {
            rows.add(
                    List.of(
                            u.model(),
                            u.description(),
                            Integer.toString(u.sequences()),
                            Html.fraction(u.streamedAccuracy()),
                            Html.fraction(u.offlineAccuracy()),
                            u.agreeing() + "/" + u.sequences(),
                            DemoSummary.versionsText(u)));
        }
        return Html.table(
                List.of(
                        "model",
                        "data",
                        "sequences",
                        "streamed accuracy",
                        "offline accuracy",
                        "agreeing",
                        "sequences per version (offline accuracy)"),
                rows);
    }

    /** Throughput, latency, dead letters, versions and retraining, one figure per row. */
    static String keyFigures(DemoSummary s) {
        List<List<String>> rows =
                List.of(
                        List.of("throughput", s.throughputText()),
                        List.of(
                                "latency, last event sent -> appended",
                                DemoSummary.latencyText(s.appendLatencyMs(), true)),
                        List.of(
                                "latency, last event sent -> visible (read_committed)",
                                DemoSummary.latencyText(s.visibleLatencyMs(), true)),
                        List.of("dead letters", s.deadLettersText()),
                        List.of("model versions served", s.versionsServedText()),
                        List.of("retraining", s.retrainingText()));
        return Html.table(List.of("figure", "value"), rows);
    }

    /**
     * A confusion matrix, rows actual and columns predicted; each cell shaded by its share of the
     * row, so that a class with few sequences reads as clearly as a large one.
     */
    static String confusion(List<String> labels, long[][] matrix) {
        StringBuilder t =
                new StringBuilder(
                        "<table class=\"confusion\"><thead><tr><th>actual \\ predicted</th>");
        labels.forEach(l -> t.append("<th>").append(Html.escape(l)).append("</th>"));
        t.append("<th>accuracy</th></tr></thead><tbody>");
        for (int i = 0; i < labels.size(); i++) {
            long total = 0;
            for (long c : matrix[i]) {
                total += c;
            }
            t.append("<tr><th>").append(Html.escape(labels.get(i))).append("</th>");
            for (int j = 0; j < labels.size(); j++) {
                double share = total == 0 ? 0 : matrix[i][j] / (double) total;
                // Diagonal in blue, confusions in orange: right and wrong differ in hue.
                String rgb = i == j ? "0,114,178" : "213,94,0";
                t.append(
                        String.format(
                                Locale.ROOT,
                                "<td style=\"background:rgba(%s,%.2f)\">%d</td>",
                                rgb,
                                0.75 * share,
                                matrix[i][j]));
            }
            t.append("<td>")
                    .append(total == 0 ? "-" : Html.fraction(matrix[i][i] / (double) total))
                    .append("</td></tr>");
        }
        return t.append("</tbody></table>\n").toString();
    }

    /** Every dead letter with its reason, whether the demo injected it, message and value. */
    static String deadLetters(DemoSummary s) {
        Map<String, Integer> injectedLeft = new HashMap<>(s.injected());
        List<List<String>> rows = new ArrayList<>();
        for (DemoSummary.DeadLetter d : s.deadLetterRecords()) {
            int left = injectedLeft.getOrDefault(d.reason(), 0);
            injectedLeft.put(d.reason(), left - 1);
            rows.add(
                    List.of(
                            d.reason(),
                            left > 0 ? "yes" : "no: unexpected",
                            d.message(),
                            Html.abbreviate(d.value(), VALUE_WIDTH)));
        }
        return Html.table(List.of("reason", "injected", "message", "original value"), rows);
    }

    /** The retraining round's decision and the gate's figures. */
    static String retraining(DemoSummary.Retraining r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("decision", r.decision()));
        rows.add(List.of("why", r.reason()));
        rows.add(
                List.of(
                        "labelled sequences read from Kafka",
                        Integer.toString(r.labelledSequences())));
        rows.add(
                List.of(
                        "sequences the candidate trained on",
                        Integer.toString(r.trainSequences())));
        rows.add(List.of("training epochs run", Integer.toString(r.epochsRun())));
        rows.add(List.of("hold-out size (sequences)", Integer.toString(r.holdoutSequences())));
        rows.add(List.of("gate metric", r.metric()));
        rows.add(List.of("gate margin", Html.fraction(r.margin())));
        rows.add(
                List.of(
                        "v" + r.serviceVersion() + " (in service): score, 95% Wilson interval",
                        Html.fraction(r.serviceScore())
                                + ", "
                                + Html.interval(r.serviceInterval())));
        rows.add(
                List.of(
                        "v" + r.candidateVersion() + " (candidate): score, 95% Wilson interval",
                        Html.fraction(r.candidateScore())
                                + ", "
                                + Html.interval(r.candidateInterval())));
        rows.add(
                List.of(
                        "published version",
                        r.publishedVersion() > 0 ? "v" + r.publishedVersion() : "none"));
        rows.add(
                List.of(
                        "time, labelled events to decision",
                        String.format(Locale.ROOT, "%.1f s", r.seconds())));
        return Html.table(List.of("figure", "value"), rows);
    }
}
