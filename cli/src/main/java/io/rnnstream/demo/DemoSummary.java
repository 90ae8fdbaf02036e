package io.rnnstream.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a demo run measured: per use case the streamed accuracy next to the offline accuracy of the
 * same sequences and model versions, throughput, end-to-end latency, dead letters by reason and the
 * model versions served. Written as {@code summary.json} and printed by {@link #text()}.
 *
 * @param mode {@code quick} or {@code full}
 * @param seconds wall-clock time of the whole run
 * @param useCases one entry per model
 * @param events events sent during the replay phases (without probes and bad records)
 * @param sendSeconds time the replay spent sending them (paced by --rate)
 * @param replaySeconds from the first replayed event to the last classification of each phase,
 *     summed over the phases
 * @param appendLatencyMs sequence's last event sent to its classification appended to the results
 *     topic (the record's log-append time)
 * @param visibleLatencyMs the same to the classification becoming visible to a read_committed
 *     reader (adds the wait for the checkpoint that commits the transaction)
 * @param deadLetters dead letters by reason
 * @param injected bad records the demo sent on purpose, by the reason they should get
 * @param versionsServed per model, the versions seen in classifications, in order
 * @param retraining the retraining round
 * @param timeline per second of the run: events sent, classifications visible, running accuracy
 * @param heatmaps hidden-unit activations over a few of the streamed sequences
 */
public record DemoSummary(
        String mode,
        double seconds,
        List<UseCase> useCases,
        long events,
        double sendSeconds,
        double replaySeconds,
        Percentiles appendLatencyMs,
        Percentiles visibleLatencyMs,
        Map<String, Integer> deadLetters,
        Map<String, Integer> injected,
        Map<String, List<Long>> versionsServed,
        Retraining retraining,
        List<TimelinePoint> timeline,
        List<Heatmap> heatmaps) {

    /**
     * One use case.
     *
     * @param agreeing sequences whose streamed label equals the offline label
     * @param maxProbabilityDifference largest difference of one class probability, streamed vs
     *     offline
     * @param sequencesByVersion how many sequences each model version classified
     * @param offlineAccuracyByVersion accuracy of each version served, offline, on the sequences
     *     that version classified in the stream
     * @param confusion streamed confusion matrix, rows = actual, columns = predicted, in label
     *     order
     */
    public record UseCase(
            String model,
            String description,
            int sequences,
            double streamedAccuracy,
            double offlineAccuracy,
            int agreeing,
            double maxProbabilityDifference,
            Map<Long, Integer> sequencesByVersion,
            Map<Long, Double> offlineAccuracyByVersion,
            List<String> labels,
            long[][] confusion) {}

    /** Latency percentiles in milliseconds over {@code count} sequences. */
    public record Percentiles(double p50, double p99, double max, int count) {}

    /** The retraining round: the job's decision, why, and the version it published (or 0). */
    public record Retraining(
            String model,
            String decision,
            String reason,
            long publishedVersion,
            int labelledSequences,
            double seconds) {}

    /**
     * One second of the run: events sent, classifications that became visible and the events
     * (steps) those covered, and each model's streamed accuracy so far.
     */
    public record TimelinePoint(
            int second,
            int events,
            int classifications,
            int eventsClassified,
            Map<String, Double> runningAccuracy) {}

    public double eventsPerSecond() {
        return replaySeconds > 0 ? events / replaySeconds : 0;
    }

    /** Dead letters beyond the injected ones, by reason (only reasons with a surplus). */
    public Map<String, Integer> unexpectedDeadLetters() {
        return deadLetters.entrySet().stream()
                .filter(e -> e.getValue() > injected.getOrDefault(e.getKey(), 0))
                .collect(
                        Collectors.toMap(
                                Map.Entry::getKey,
                                e -> e.getValue() - injected.getOrDefault(e.getKey(), 0)));
    }

    /** The summary as the demo prints it. */
    public String text() {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT, "rnnstream demo summary (%s mode, %.0f s)%n", mode, seconds));
        s.append(
                String.format(
                        Locale.ROOT,
                        "  %-10s %9s %9s %9s %9s  %s%n",
                        "use case",
                        "sequences",
                        "streamed",
                        "offline",
                        "agreeing",
                        "sequences per version (offline accuracy)"));
        for (UseCase u : useCases) {
            String versions =
                    u.sequencesByVersion().entrySet().stream()
                            .map(
                                    e ->
                                            String.format(
                                                    Locale.ROOT,
                                                    "v%d: %d (%.3f)",
                                                    e.getKey(),
                                                    e.getValue(),
                                                    u.offlineAccuracyByVersion().get(e.getKey())))
                            .collect(Collectors.joining(", "));
            s.append(
                    String.format(
                            Locale.ROOT,
                            "  %-10s %9d %9.3f %9.3f %5d/%-3d  %s%n",
                            u.model(),
                            u.sequences(),
                            u.streamedAccuracy(),
                            u.offlineAccuracy(),
                            u.agreeing(),
                            u.sequences(),
                            versions));
        }
        s.append(
                String.format(
                        Locale.ROOT,
                        "  throughput: %d events sent in %.1f s (%.0f events/s); %.1f s from the"
                                + " first event to the last classification (%.0f events/s)%n",
                        events,
                        sendSeconds,
                        sendSeconds > 0 ? events / sendSeconds : 0,
                        replaySeconds,
                        eventsPerSecond()));
        s.append(
                String.format(
                        Locale.ROOT,
                        "  latency, last event sent -> result appended:        p50 %.0f ms, p99 %.0f"
                                + " ms (%d sequences)%n",
                        appendLatencyMs.p50(),
                        appendLatencyMs.p99(),
                        appendLatencyMs.count()));
        s.append(
                String.format(
                        Locale.ROOT,
                        "  latency, last event sent -> visible (read_committed): p50 %.0f ms, p99"
                                + " %.0f ms%n",
                        visibleLatencyMs.p50(),
                        visibleLatencyMs.p99()));
        s.append("  dead letters: ")
                .append(deadLetters.isEmpty() ? "none" : reasons(deadLetters))
                .append(" (injected on purpose: ")
                .append(reasons(injected))
                .append("; unexpected: ")
                .append(
                        unexpectedDeadLetters().isEmpty()
                                ? "none"
                                : reasons(unexpectedDeadLetters()))
                .append(")")
                .append(System.lineSeparator());
        s.append("  model versions served: ")
                .append(
                        versionsServed.entrySet().stream()
                                .map(
                                        e ->
                                                e.getKey()
                                                        + " "
                                                        + e.getValue().stream()
                                                                .map(v -> "v" + v)
                                                                .collect(
                                                                        Collectors.joining(" -> ")))
                                .collect(Collectors.joining(", ")))
                .append(System.lineSeparator());
        s.append(
                String.format(
                        Locale.ROOT,
                        "  retraining %s on %d labelled sequences from Kafka: %s in %.0f s%s%n",
                        retraining.model(),
                        retraining.labelledSequences(),
                        retraining.decision(),
                        retraining.seconds(),
                        retraining.publishedVersion() > 0
                                ? ", version " + retraining.publishedVersion() + " published"
                                : " (" + retraining.reason() + ")"));
        return s.toString();
    }

    private static String reasons(Map<String, Integer> byReason) {
        return byReason.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
