package io.rnnstream.demo;

import io.rnnstream.core.data.LabeledSequence;
import java.util.Locale;

/** One classification as the demo shows it while it runs. */
final class LiveLine {

    private static final int TEXT_WIDTH = 48;

    private LiveLine() {}

    static String format(ResultCollector.Streamed result, LabeledSequence sequence) {
        double probability = result.probabilities().getOrDefault(result.label(), 0.0);
        String input =
                sequence.tokens() != null
                        ? '"' + abbreviate(String.join(" ", sequence.tokens())) + '"'
                        : sequence.length() + " frames";
        return String.format(
                Locale.ROOT,
                "  %-10s %-9s v%d  %-52s -> %-9s %.2f  %s",
                result.key(),
                result.model(),
                result.modelVersion(),
                input,
                result.label(),
                probability,
                result.label().equals(sequence.label())
                        ? "right"
                        : "wrong, was " + sequence.label());
    }

    private static String abbreviate(String text) {
        return text.length() <= TEXT_WIDTH ? text : text.substring(0, TEXT_WIDTH - 3) + "...";
    }
}
