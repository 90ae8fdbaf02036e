package io.rnnstream.demo.report;

import io.rnnstream.cells.CellsHtml;
import io.rnnstream.demo.DemoSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The report's language-model part: the model, each event's surprise as a chart, the likely next
 * characters after each event, the continuations, and the hidden cells that track properties of the
 * text.
 */
final class LanguageModelSection {

    private LanguageModelSection() {}

    static void append(StringBuilder h, DemoSummary.LanguageModelRun lm, int width) {
        h.append("<h2 id=\"language-model\">Language model</h2>\n");
        if (lm == null) {
            h.append("<p>This run had no language-model part.</p>\n");
            return;
        }
        h.append(
                String.format(
                        Locale.ROOT,
                        "<p>%s v%d, %s, trained at the start of the demo on %,d characters of %s"
                                + " (%d updates, %.1f s; %.3f nats per character on held-out"
                                + " text). The stream job serves it beside the classifiers: a few"
                                + " keys each send consecutive lines of held-out code, and every"
                                + " event gets one record on the predictions topic with its"
                                + " surprise (negative log-likelihood given the key's earlier"
                                + " lines) and the %d most likely next characters. Read back with"
                                + " read_committed: %s.</p>\n",
                        Html.escape(lm.model()),
                        lm.version(),
                        Html.escape(lm.architecture()),
                        lm.trainCharacters(),
                        Html.escape(lm.corpus()),
                        lm.updates(),
                        lm.trainSeconds(),
                        lm.validationNatsPerChar(),
                        lm.topK(),
                        Html.escape(agreement(lm))));
        h.append(
                Html.figure(
                        SvgChart.svg(SurpriseChart.chart(lm), "lm-surprise", width, 360),
                        "Each point is one event (one line of code) of a key: its surprise divided"
                                + " by its characters. Lines the model finds ordinary score near"
                                + " its validation loss; unusual ones stand out, which is how a"
                                + " threshold on surprise finds anomalies."));
        h.append("<h3>Most likely next characters after each event</h3>\n");
        h.append(nextTable(lm));
        h.append("<h3>Continuations</h3>\n")
                .append("<p>The last event of each key asks for a continuation: the stream")
                .append(" samples it from the key's state without changing that state, seeded")
                .append(" from the key and its position, so that a replay writes the same text.")
                .append("</p>\n");
        for (DemoSummary.TextEvent e : lm.events()) {
            if (e.continuationText() != null) {
                h.append("<h4>")
                        .append(Html.escape(e.key()))
                        .append(
                                String.format(
                                        Locale.ROOT, ", %d characters after ", e.continuation()))
                        .append("<code>")
                        .append(Html.escape(e.text().strip()))
                        .append("</code>")
                        .append(e.continuationMatchesOffline() ? "" : " (differs from offline)")
                        .append("</h4>\n<pre>")
                        .append(Html.escape(e.continuationText()))
                        .append("</pre>\n");
            }
        }
        h.append("<h3 id=\"cells\">Hidden cells</h3>\n")
                .append("<p>The model read the start of the held-out text; each unit's")
                .append(" activation (the output h and, for LSTM, the memory cell c) after every")
                .append(" character is scored against simple properties of the text, as")
                .append(" <code>rnnstream cells</code> does. Below, the first ")
                .append(lm.cells().text().length())
                .append(" characters coloured by the best unit of each property.</p>\n")
                .append(CellsHtml.section(lm.cells(), 4));
    }

    /** E.g. {@code 18 events, 18 predictions, ...}. */
    private static String agreement(DemoSummary.LanguageModelRun lm) {
        return String.format(
                Locale.ROOT,
                "%d events, %d predictions; the surprise is within %.1g nats of the offline"
                        + " model's after the same lines, and %d of %d continuations equal the"
                        + " offline generator's with the same seed",
                lm.events().size(),
                lm.predictionsRead(),
                lm.maxSurpriseDifference(),
                lm.continuationsEqualOffline(),
                lm.continuations());
    }

    private static String nextTable(DemoSummary.LanguageModelRun lm) {
        List<List<String>> rows = new ArrayList<>();
        for (DemoSummary.TextEvent e : lm.events()) {
            rows.add(
                    List.of(
                            e.key(),
                            Integer.toString(e.index()),
                            e.text().strip(),
                            Html.fraction(e.surprise()),
                            Html.fraction(e.surprisePerCharacter()),
                            e.next().stream()
                                    .map(
                                            n ->
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%s %.2f",
                                                            visible(n.symbol()),
                                                            n.p()))
                                    .collect(Collectors.joining(", "))));
        }
        return Html.table(
                "next",
                List.of(
                        "key",
                        "event",
                        "text",
                        "surprise (nats)",
                        "per character (nats)",
                        "next: symbol and probability, most likely first"),
                rows);
    }

    /** Whitespace shown as signs: a space is ␣, a line break ↵, a tab ⇥. */
    static String visible(String text) {
        return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥");
    }
}
