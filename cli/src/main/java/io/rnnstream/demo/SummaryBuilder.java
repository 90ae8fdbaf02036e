package io.rnnstream.demo;

import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.retrain.RetrainReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares every streamed classification with the offline classification of the same sequence by
 * the same model version (read back from the model store), and condenses what the collector and the
 * replay recorded into a {@link DemoSummary}.
 */
final class SummaryBuilder {

    private static final Map<String, String> DESCRIPTIONS =
            Map.of(
                    DemoRunner.MOTION, "BasicMotions, frame by frame per device",
                    DemoRunner.SENTIMENT, "VADER movie snippets, word by word per conversation");

    private final DemoModels models;
    private final Map<String, DemoEvents.Planned> planned;
    private final Replay replay;

    /** One replay phase: from its first event sent to its last classification seen. */
    record Phase(long startMillis, long endMillis, double sendSeconds) {}

    private final List<Phase> phases;
    private final long start;

    SummaryBuilder(
            DemoModels models,
            Map<String, DemoEvents.Planned> planned,
            Replay replay,
            List<Phase> phases,
            long start) {
        this.models = models;
        this.planned = planned;
        this.replay = replay;
        this.phases = phases;
        this.start = start;
    }

    DemoSummary build(
            String mode,
            List<ResultCollector.Streamed> all,
            List<DemoSummary.DeadLetter> deadLetters,
            Map<String, Integer> injected,
            RetrainReport retrain,
            int labelledSequences,
            double retrainSeconds,
            DemoSummary.LanguageModelRun languageModel) {
        // Exactly-once output has no duplicates; keep the first copy should one ever appear.
        Map<String, ResultCollector.Streamed> byId = new LinkedHashMap<>();
        for (ResultCollector.Streamed r : all) {
            if (planned.containsKey(r.id())) {
                byId.putIfAbsent(r.id(), r);
            }
        }
        List<ResultCollector.Streamed> results = new ArrayList<>(byId.values());
        List<DemoSummary.UseCase> useCases = new ArrayList<>();
        Map<String, List<Long>> versions = new LinkedHashMap<>();
        for (String model : List.of(DemoRunner.MOTION, DemoRunner.SENTIMENT)) {
            List<ResultCollector.Streamed> mine =
                    results.stream().filter(r -> r.model().equals(model)).toList();
            useCases.add(useCase(model, mine));
            versions.put(
                    model,
                    List.copyOf(new TreeSet<>(mine.stream().map(r -> r.modelVersion()).toList())));
        }
        long events = 0;
        for (DemoEvents.Planned p : planned.values()) {
            events += p.sequence().length();
        }
        double replaySeconds = 0;
        double sendSeconds = 0;
        for (Phase phase : phases) {
            sendSeconds += phase.sendSeconds();
            replaySeconds += (phase.endMillis() - phase.startMillis()) / 1000.0;
        }
        Map<String, Integer> letters = new TreeMap<>();
        deadLetters.forEach(d -> letters.merge(d.reason(), 1, Integer::sum));
        return new DemoSummary(
                mode,
                (System.currentTimeMillis() - start) / 1000.0,
                useCases,
                events,
                sendSeconds,
                replaySeconds,
                latency(results, true),
                latency(results, false),
                latencies(results),
                letters,
                List.copyOf(deadLetters),
                Map.copyOf(injected),
                versions,
                retraining(retrain, labelledSequences, retrainSeconds),
                swaps(all),
                timeline(results),
                heatmaps(results),
                languageModel);
    }

    private static DemoSummary.Retraining retraining(
            RetrainReport retrain, int labelledSequences, double retrainSeconds) {
        long published =
                retrain.decision() == RetrainReport.Decision.PUBLISHED
                        ? number(retrain, "candidateVersion").longValue()
                        : 0;
        Object training = retrain.get("training");
        Number epochs =
                training instanceof Map<?, ?> t && t.get("epochsRun") instanceof Number n ? n : 0;
        Object metric = retrain.get("metric");
        return new DemoSummary.Retraining(
                DemoRunner.MOTION,
                retrain.decision().code(),
                retrain.reason(),
                published,
                labelledSequences,
                retrainSeconds,
                number(retrain, "holdoutSequences").intValue(),
                number(retrain, "trainSequences").intValue(),
                metric == null ? "" : metric.toString(),
                numberOrNaN(retrain, "margin"),
                number(retrain, "serviceVersion").longValue(),
                number(retrain, "candidateVersion").longValue(),
                numberOrNaN(retrain, "serviceScore"),
                interval(retrain, "serviceAccuracyInterval95"),
                numberOrNaN(retrain, "candidateScore"),
                interval(retrain, "candidateAccuracyInterval95"),
                epochs.intValue());
    }

    /** A numeric field of the retraining report; 0 when the run stopped before setting it. */
    private static Number number(RetrainReport report, String key) {
        return report.get(key) instanceof Number n ? n : 0;
    }

    private static double numberOrNaN(RetrainReport report, String key) {
        return report.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static List<Double> interval(RetrainReport report, String key) {
        if (report.get(key) instanceof List<?> bounds && bounds.size() == 2) {
            return bounds.stream().map(b -> ((Number) b).doubleValue()).toList();
        }
        return List.of();
    }

    /**
     * Each version's first classification after an earlier version served, probes included: the
     * probes are what shows the demo that the stream switched.
     */
    private List<DemoSummary.Swap> swaps(List<ResultCollector.Streamed> all) {
        List<ResultCollector.Streamed> byTime = new ArrayList<>(all);
        byTime.sort((a, b) -> Long.compare(a.visibleAt(), b.visibleAt()));
        Map<String, Long> newest = new LinkedHashMap<>();
        List<DemoSummary.Swap> swaps = new ArrayList<>();
        for (ResultCollector.Streamed r : byTime) {
            Long before = newest.get(r.model());
            if (before == null || r.modelVersion() > before) {
                newest.put(r.model(), r.modelVersion());
                if (before != null) {
                    swaps.add(
                            new DemoSummary.Swap(
                                    r.model(),
                                    before,
                                    r.modelVersion(),
                                    (r.visibleAt() - start) / 1000.0));
                }
            }
        }
        return swaps;
    }

    private List<DemoSummary.Latency> latencies(List<ResultCollector.Streamed> results) {
        List<DemoSummary.Latency> latencies = new ArrayList<>();
        for (ResultCollector.Streamed r : results) {
            Long sent = replay.lastEventSentAt(r.id());
            if (sent != null) {
                latencies.add(
                        new DemoSummary.Latency(
                                r.model(),
                                r.modelVersion(),
                                r.appendedAt() - sent,
                                r.visibleAt() - sent));
            }
        }
        return latencies;
    }

    /** A few short snippets and the last motion sequence, through the version that served them. */
    private List<Heatmap> heatmaps(List<ResultCollector.Streamed> results) {
        List<Heatmap> maps = new ArrayList<>();
        ResultCollector.Streamed lastMotion = null;
        for (ResultCollector.Streamed r : results) {
            LabeledSequence sequence = planned.get(r.id()).sequence();
            if (r.model().equals(DemoRunner.MOTION)) {
                lastMotion = r;
            } else if (maps.size() < 3 && sequence.length() >= 6 && sequence.length() <= 18) {
                maps.add(heatmap(r));
            }
        }
        if (lastMotion != null) {
            maps.add(heatmap(lastMotion));
        }
        return maps;
    }

    private Heatmap heatmap(ResultCollector.Streamed r) {
        LabeledSequence sequence = planned.get(r.id()).sequence();
        String title =
                r.model()
                        + " v"
                        + r.modelVersion()
                        + ", "
                        + r.id()
                        + ", actual "
                        + sequence.label();
        return Heatmap.of(title, models.classifier(r.model(), r.modelVersion()), sequence, 24);
    }

    private DemoSummary.UseCase useCase(String model, List<ResultCollector.Streamed> results) {
        List<String> labels = models.classifier(model, 1).spec().labels();
        long[][] confusion = new long[labels.size()][labels.size()];
        Map<Long, long[][]> confusionByVersion = new TreeMap<>();
        int streamedRight = 0;
        int offlineRight = 0;
        int agreeing = 0;
        double maxDifference = 0;
        Map<Long, Integer> byVersion = new TreeMap<>();
        Map<Long, Integer> rightByVersion = new TreeMap<>();
        for (ResultCollector.Streamed r : results) {
            LabeledSequence sequence = planned.get(r.id()).sequence();
            SequenceClassifier classifier = models.classifier(model, r.modelVersion());
            float[] offline = Evaluator.predict(classifier, sequence);
            String offlineLabel = labels.get(SequenceClassifier.argMax(offline));
            for (int c = 0; c < labels.size(); c++) {
                double streamed = r.probabilities().getOrDefault(labels.get(c), Double.NaN);
                maxDifference = Math.max(maxDifference, Math.abs(streamed - offline[c]));
            }
            boolean right = offlineLabel.equals(sequence.label());
            streamedRight += r.label().equals(sequence.label()) ? 1 : 0;
            offlineRight += right ? 1 : 0;
            agreeing += r.label().equals(offlineLabel) ? 1 : 0;
            byVersion.merge(r.modelVersion(), 1, Integer::sum);
            rightByVersion.merge(r.modelVersion(), right ? 1 : 0, Integer::sum);
            int actual = labels.indexOf(sequence.label());
            int predicted = labels.indexOf(r.label());
            confusion[actual][predicted]++;
            confusionByVersion
                    .computeIfAbsent(r.modelVersion(), v -> new long[labels.size()][labels.size()])[
                    actual][predicted]++;
        }
        Map<Long, Double> accuracyByVersion = new TreeMap<>();
        byVersion.forEach((v, n) -> accuracyByVersion.put(v, rightByVersion.get(v) / (double) n));
        int n = results.size();
        return new DemoSummary.UseCase(
                model,
                DESCRIPTIONS.get(model),
                n,
                n == 0 ? 0 : streamedRight / (double) n,
                n == 0 ? 0 : offlineRight / (double) n,
                agreeing,
                maxDifference,
                byVersion,
                accuracyByVersion,
                labels,
                confusion,
                confusionByVersion);
    }

    private DemoSummary.Percentiles latency(
            List<ResultCollector.Streamed> results, boolean appended) {
        List<Long> millis = new ArrayList<>();
        for (ResultCollector.Streamed r : results) {
            Long sent = replay.lastEventSentAt(r.id());
            if (sent != null) {
                millis.add((appended ? r.appendedAt() : r.visibleAt()) - sent);
            }
        }
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        return new DemoSummary.Percentiles(
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1],
                sorted.length);
    }

    /** Nearest-rank percentile. */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private List<DemoSummary.TimelinePoint> timeline(List<ResultCollector.Streamed> results) {
        Map<Integer, Integer> events = replay.eventsPerSecond();
        List<ResultCollector.Streamed> byTime = new ArrayList<>(results);
        byTime.sort((a, b) -> Long.compare(a.visibleAt(), b.visibleAt()));
        int last = events.keySet().stream().mapToInt(i -> i).max().orElse(0);
        for (ResultCollector.Streamed r : byTime) {
            last = Math.max(last, replay.second(r.visibleAt()));
        }
        // The chart starts when the replay does; training and start-up come before.
        int first = phases.isEmpty() ? 0 : replay.second(phases.get(0).startMillis());
        int[] classifications = new int[last + 1];
        int[] eventsClassified = new int[last + 1];
        Map<String, int[]> right = new LinkedHashMap<>();
        Map<String, int[]> seen = new LinkedHashMap<>();
        List<DemoSummary.TimelinePoint> points = new ArrayList<>();
        int next = 0;
        for (int second = 0; second <= last; second++) {
            while (next < byTime.size() && replay.second(byTime.get(next).visibleAt()) <= second) {
                ResultCollector.Streamed r = byTime.get(next++);
                classifications[second]++;
                eventsClassified[second] += r.steps();
                boolean ok = r.label().equals(planned.get(r.id()).sequence().label());
                right.computeIfAbsent(r.model(), m -> new int[1])[0] += ok ? 1 : 0;
                seen.computeIfAbsent(r.model(), m -> new int[1])[0]++;
            }
            if (second < first) {
                continue;
            }
            Map<String, Double> accuracy = new LinkedHashMap<>();
            seen.forEach((m, n) -> accuracy.put(m, right.get(m)[0] / (double) n[0]));
            points.add(
                    new DemoSummary.TimelinePoint(
                            second,
                            events.getOrDefault(second, 0),
                            classifications[second],
                            eventsClassified[second],
                            accuracy));
        }
        return points;
    }
}
