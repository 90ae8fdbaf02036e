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
 * @param latencies per streamed sequence, both latencies, for their distribution
 * @param deadLetters dead letters by reason
 * @param deadLetterRecords every dead letter read back, with its headers and original value
 * @param injected bad records the demo sent on purpose, by the reason they should get
 * @param versionsServed per model, the versions seen in classifications, in order
 * @param retraining the retraining round
 * @param swaps each model version that took over from another while the stream ran
 * @param timeline per second of the run: events sent, classifications visible, running accuracy
 * @param heatmaps hidden-unit activations over a few of the streamed sequences
 * @param languageModel the language-model part; null in a summary written before it existed
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
        List<Latency> latencies,
        Map<String, Integer> deadLetters,
        List<DeadLetter> deadLetterRecords,
        Map<String, Integer> injected,
        Map<String, List<Long>> versionsServed,
        Retraining retraining,
        List<Swap> swaps,
        List<TimelinePoint> timeline,
        List<Heatmap> heatmaps,
        LanguageModelRun languageModel) {

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
     * @param confusionByVersion the same per model version served
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
            long[][] confusion,
            Map<Long, long[][]> confusionByVersion) {}

    /** Latency percentiles in milliseconds over {@code count} sequences. */
    public record Percentiles(double p50, double p99, double max, int count) {}

    /**
     * One streamed sequence's latencies in milliseconds, from its last event sent to its
     * classification appended to the results topic and to it becoming visible to a read_committed
     * reader.
     */
    public record Latency(String model, long modelVersion, long appendedMs, long visibleMs) {}

    /** A dead letter as read back: its reason and message headers and the original value. */
    public record DeadLetter(String reason, String message, String value) {}

    /**
     * The moment a model version first classified a sequence in the stream, taking over from an
     * earlier version.
     *
     * @param second seconds since the demo started, when that classification became visible
     */
    public record Swap(String model, long fromVersion, long toVersion, double second) {}

    /**
     * The retraining round: the job's decision, why, the version it published (or 0), and the
     * gate's figures as the retraining report gives them (NaN or 0 where the run stopped before the
     * gate).
     *
     * @param holdoutSequences held-out sequences both versions were scored on
     * @param trainSequences labelled sequences the candidate learnt from
     * @param metric the gate's metric, e.g. {@code accuracy}
     * @param margin how much worse than the version in service the candidate may score
     * @param serviceVersion the version in service the candidate was compared with
     * @param candidateVersion the version number the candidate got
     * @param serviceScore the version in service's score on the hold-out
     * @param serviceInterval its accuracy's 95% Wilson interval, {@code [low, high]}
     * @param candidateScore the candidate's score on the same hold-out
     * @param candidateInterval its accuracy's 95% Wilson interval, {@code [low, high]}
     * @param epochsRun training epochs the candidate ran
     */
    public record Retraining(
            String model,
            String decision,
            String reason,
            long publishedVersion,
            int labelledSequences,
            double seconds,
            int holdoutSequences,
            int trainSequences,
            String metric,
            double margin,
            long serviceVersion,
            long candidateVersion,
            double serviceScore,
            List<Double> serviceInterval,
            double candidateScore,
            List<Double> candidateInterval,
            int epochsRun) {}

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

    /**
     * The language-model part: a small character model trained at the start, served by the same
     * stream job on the predictions topic, its predictions compared with the offline model's.
     *
     * @param model the model's name
     * @param version its version
     * @param architecture e.g. {@code LSTM, 1 layer of 48 units, one-hot input over 96 characters}
     * @param corpus the text it learnt from
     * @param trainCharacters characters it trained on
     * @param updates truncated-BPTT updates
     * @param validationNatsPerChar loss on held-out text of the corpus
     * @param trainSeconds training time
     * @param topK next symbols per prediction
     * @param events every text event sent, with the prediction read back for it
     * @param predictionsRead prediction records read from the topic (read_committed)
     * @param maxSurpriseDifference largest |streamed - offline| surprise over the events, nats
     * @param cells the units that track properties of held-out text
     */
    public record LanguageModelRun(
            String model,
            long version,
            String architecture,
            String corpus,
            int trainCharacters,
            long updates,
            double validationNatsPerChar,
            double trainSeconds,
            int topK,
            List<TextEvent> events,
            int predictionsRead,
            double maxSurpriseDifference,
            io.rnnstream.cells.CellsFigures cells) {

        /** Every event has exactly one prediction, equal to the offline model's. */
        public boolean agrees() {
            return events.stream()
                            .allMatch(
                                    e ->
                                            e.predictions() == 1
                                                    && (e.continuation() == 0
                                                            || e.continuationMatchesOffline()))
                    && predictionsRead == events.size()
                    && maxSurpriseDifference <= SURPRISE_TOLERANCE;
        }

        /** Events that asked for a continuation. */
        public long continuations() {
            return events.stream().filter(e -> e.continuation() > 0).count();
        }

        /** Continuations equal to the offline generator's. */
        public long continuationsEqualOffline() {
            return events.stream()
                    .filter(e -> e.continuation() > 0 && e.continuationMatchesOffline())
                    .count();
        }

        /** The keys in the order their events were planned. */
        public List<String> keys() {
            return events.stream().map(TextEvent::key).distinct().toList();
        }
    }

    /** Streamed and offline surprise may differ by float rounding, no more. */
    public static final double SURPRISE_TOLERANCE = 1e-4;

    /**
     * One text event of a key and what the stream said about it.
     *
     * @param key the entity key
     * @param index the event's number within its key, from 1
     * @param text the event's text
     * @param continuation symbols the event asked for ({@code "continue"}), 0 for none
     * @param predictions prediction records read for it (exactly-once: 1)
     * @param surprise streamed surprise of its characters, nats (NaN without a prediction)
     * @param offlineSurprise the offline model's surprise of the same characters after the same
     *     history
     * @param next the most likely next symbols after it, most likely first
     * @param continuationText the generated continuation, or null
     * @param continuationMatchesOffline whether the offline generator, primed with the key's text
     *     and the same seed, writes the same continuation
     */
    public record TextEvent(
            String key,
            int index,
            String text,
            int continuation,
            int predictions,
            double surprise,
            double offlineSurprise,
            List<NextSymbol> next,
            String continuationText,
            boolean continuationMatchesOffline) {

        /** Surprise per character: events of different lengths side by side. */
        public double surprisePerCharacter() {
            int characters = text.codePointCount(0, text.length());
            return characters == 0 ? 0 : surprise / characters;
        }
    }

    /** A next symbol and its probability. */
    public record NextSymbol(String symbol, double p) {}

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
                            versionsText(u)));
        }
        String n = System.lineSeparator();
        s.append("  throughput: ").append(throughputText()).append(n);
        s.append("  latency, last event sent -> result appended:        ")
                .append(latencyText(appendLatencyMs, true))
                .append(n);
        s.append("  latency, last event sent -> visible (read_committed): ")
                .append(latencyText(visibleLatencyMs, false))
                .append(n);
        s.append("  dead letters: ").append(deadLettersText()).append(n);
        s.append("  model versions served: ").append(versionsServedText()).append(n);
        s.append("  retraining ").append(retrainingText()).append(n);
        if (languageModel != null) {
            s.append("  language model ").append(languageModelText()).append(n);
        }
        return s.toString();
    }

    /** E.g. {@code v1: 20 (0.450), v2: 20 (0.850)}: sequences and offline accuracy per version. */
    public static String versionsText(UseCase u) {
        return u.sequencesByVersion().entrySet().stream()
                .map(
                        e ->
                                String.format(
                                        Locale.ROOT,
                                        "v%d: %d (%.3f)",
                                        e.getKey(),
                                        e.getValue(),
                                        u.offlineAccuracyByVersion().get(e.getKey())))
                .collect(Collectors.joining(", "));
    }

    public String throughputText() {
        return String.format(
                Locale.ROOT,
                "%d events sent in %.1f s (%.0f events/s); %.1f s from the first event to the last"
                        + " classification (%.0f events/s)",
                events,
                sendSeconds,
                sendSeconds > 0 ? events / sendSeconds : 0,
                replaySeconds,
                eventsPerSecond());
    }

    /** E.g. {@code p50 810 ms, p99 5838 ms (440 sequences)}; the count only if asked for. */
    public static String latencyText(Percentiles p, boolean withCount) {
        return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", p.p50(), p.p99())
                + (withCount ? " (" + p.count() + " sequences)" : "");
    }

    public String deadLettersText() {
        return (deadLetters.isEmpty() ? "none" : reasons(deadLetters))
                + " (injected on purpose: "
                + reasons(injected)
                + "; unexpected: "
                + (unexpectedDeadLetters().isEmpty() ? "none" : reasons(unexpectedDeadLetters()))
                + ")";
    }

    /** E.g. {@code motion v1 -> v2, sentiment v1}. */
    public String versionsServedText() {
        return versionsServed.entrySet().stream()
                .map(
                        e ->
                                e.getKey()
                                        + " "
                                        + e.getValue().stream()
                                                .map(v -> "v" + v)
                                                .collect(Collectors.joining(" -> ")))
                .collect(Collectors.joining(", "));
    }

    /**
     * E.g. {@code motion on 28 labelled sequences from Kafka: published in 11 s, version 2 ...}.
     */
    public String retrainingText() {
        return String.format(
                Locale.ROOT,
                "%s on %d labelled sequences from Kafka: %s in %.0f s%s",
                retraining.model(),
                retraining.labelledSequences(),
                retraining.decision(),
                retraining.seconds(),
                retraining.publishedVersion() > 0
                        ? ", version " + retraining.publishedVersion() + " published"
                        : " (" + retraining.reason() + ")");
    }

    /**
     * E.g. {@code code-lm v1: 18 text events, 18 predictions, surprise within 2e-07 nats of the
     * offline model, 3/3 continuations equal}.
     */
    public String languageModelText() {
        LanguageModelRun lm = languageModel;
        return String.format(
                Locale.ROOT,
                "%s v%d: %d text events, %d predictions, surprise within %.1g nats of the offline"
                        + " model, %d/%d continuations equal",
                lm.model(),
                lm.version(),
                lm.events().size(),
                lm.predictionsRead(),
                lm.maxSurpriseDifference(),
                lm.continuationsEqualOffline(),
                lm.continuations());
    }

    private static String reasons(Map<String, Integer> byReason) {
        return byReason.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
