package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The targets, each evaluated on figures of the same run: met, not met, or not measured
 * (null). Ratios only; no absolute time is compared with a fixed number.
 */
final class Targets {

    /**
     * The most savepoint bytes per key an open LSTM sequence may take beyond its hidden floats
     * (issue 20); reports record it, as {@code stateTargetBytesPerKey}, since it was lowered from
     * 64.
     */
    static final int STATE_BYTES_PER_KEY = 48;

    private static final String STATE_TARGET =
            "State: <= " + STATE_BYTES_PER_KEY + " bytes per key beyond the hidden state's floats";

    /** How far below PyTorch's test accuracy a DL4J variant may be and still count: one point. */
    static final double ACCURACY_GAP = 0.01;

    private Targets() {}

    static List<Map<String, Object>> evaluate(
            List<Map<String, Object>> rows, Map<String, Object> trainingResult) {
        List<Map<String, Object>> targets = new ArrayList<>();
        Map<String, Object> lstm =
                rows.stream().filter(Targets::isLstm64x16).findFirst().orElseThrow();
        // The vector path: what deployments started with the incubator module serve with.
        double serving = (Double) lstm.get("servingStepUs");
        double batched = (Double) lstm.get("servingBatchStepUs");
        double dl4j = (Double) lstm.get("dl4jTimeStepUs");
        double bound = (Double) lstm.get("fmaBoundUs");
        double torchBatch = (Double) lstm.get("torchBatchUs");

        add(
                targets,
                "LSTM 64/16 serving step (vector path) >= 200x faster than DL4J rnnTimeStep (b)",
                "speedup",
                dl4j / serving,
                ">= 200",
                dl4j / serving >= 200);
        add(
                targets,
                "LSTM 64/16 serving step (vector path) within 5x of the FMA bound (e), one key",
                "step / bound",
                serving / bound,
                "<= 5",
                serving / bound <= 5);
        add(
                targets,
                "LSTM 64/16 serving step (vector path) within 5x of the FMA bound (e), batched 256 keys",
                "step / bound",
                batched / bound,
                "<= 5",
                batched / bound <= 5);
        add(
                targets,
                "LSTM 64/16 serving step (vector path) no slower than PyTorch batch 256 (f), one key",
                "step / PyTorch batch",
                serving / torchBatch,
                "<= 1",
                serving <= torchBatch);
        add(
                targets,
                "LSTM 64/16 serving step (vector path) no slower than PyTorch batch 256 (f), batched 256 keys (as the operator steps a watermark advance)",
                "step / PyTorch batch",
                batched / torchBatch,
                "<= 1",
                batched <= torchBatch);

        JsonNode training = new ObjectMapper().valueToTree(trainingResult);
        JsonNode reference = training.get("torch").get(0);
        double referenceAccuracy = reference.get("testAccuracy").asDouble();
        // The fastest DL4J variant among those whose test accuracy is within one point of the
        // reference's (a faster run that learned less does not count); if none is, the fastest
        // of all, reported as not met.
        JsonNode best = null;
        JsonNode bestComparable = null;
        for (JsonNode run : training.get("dl4j")) {
            if (!run.has("vsTorchRecipe")) {
                continue;
            }
            if (faster(run, best)) {
                best = run;
            }
            boolean comparable =
                    referenceAccuracy - run.get("testAccuracy").asDouble() <= ACCURACY_GAP;
            if (comparable && faster(run, bestComparable)) {
                bestComparable = run;
            }
        }
        JsonNode chosen = bestComparable != null ? bestComparable : best;
        double ratio = chosen.get("vsTorchRecipe").asDouble();
        add(
                targets,
                "Training: DL4J sequences/s >= PyTorch (batch "
                        + reference.get("batch").asInt()
                        + ") at accuracy within one point; "
                        + (bestComparable != null
                                ? "best DL4J variant at that accuracy: "
                                : "no DL4J variant reached that accuracy; fastest: ")
                        + chosen.get("configuration").asText(),
                "DL4J / PyTorch sequences per second (median of per-round ratios)",
                ratio,
                ">= 1 and accuracy gap <= 0.01",
                bestComparable != null && ratio >= 1);

        for (String notMeasured :
                List.of(
                        "End to end: classifier keeps >= 60% of the pass-through job's throughput",
                        "End to end: >= 30x the throughput of window recompute",
                        "End to end: p99 latency <= 20 ms at-least-once at half the maximum rate",
                        STATE_TARGET)) {
            add(
                    targets,
                    notMeasured,
                    "measured by EndToEndSuite (bench/run runs it next): see e2e-<mode>.md",
                    Double.NaN,
                    "",
                    null);
        }
        return targets;
    }

    private static double median(List<Double> values) {
        return TrainingSummary.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static boolean faster(JsonNode run, JsonNode than) {
        return than == null
                || run.get("vsTorchRecipe").asDouble() > than.get("vsTorchRecipe").asDouble();
    }

    private static boolean isLstm64x16(Map<String, Object> row) {
        return "LSTM".equals(row.get("cell"))
                && (Integer) row.get("hidden") == 64
                && (Integer) row.get("input") == 16;
    }

    private static void add(
            List<Map<String, Object>> targets,
            String target,
            String measure,
            double value,
            String threshold,
            Boolean met) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("target", target);
        entry.put("measure", measure);
        entry.put("value", Double.isNaN(value) ? null : value);
        entry.put("threshold", threshold);
        entry.put("met", met);
        targets.add(entry);
    }

    /**
     * The end-to-end targets, from the end-to-end suite's report (its throughput ratios, window
     * recompute ratios, latency rows and state rows); a target without figures is not measured.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> endToEnd(Map<String, Object> report) {
        List<Map<String, Object>> targets = new ArrayList<>();
        // One value per configuration: the median of its rounds where it ran in rounds. Flink's
        // own RocksDB options are the job's before, for comparison; the target is judged on the
        // job's own settings.
        Map<String, List<Double>> byConfiguration = new LinkedHashMap<>();
        for (Map<String, Object> ratio :
                (List<Map<String, Object>>) report.getOrDefault("ratios", List.of())) {
            if (!EndToEndSuite.ROCKSDB_FLINK_OPTIONS.equals(ratio.get("backend"))) {
                byConfiguration
                        .computeIfAbsent(
                                ratio.get("delivery")
                                        + "|"
                                        + ratio.get("backend")
                                        + "|"
                                        + ratio.get("keys"),
                                k -> new ArrayList<>())
                        .add((Double) ratio.get("classifierOverPassThrough"));
            }
        }
        double lowest =
                byConfiguration.values().stream()
                        .mapToDouble(Targets::median)
                        .min()
                        .orElse(Double.NaN);
        add(
                targets,
                "End to end: classifier keeps >= 60% of the pass-through job's throughput",
                "lowest classifier / pass-through of "
                        + byConfiguration.size()
                        + " configurations (the job's own settings; the median of rounds where"
                        + " repeated)",
                lowest,
                ">= 0.6",
                Double.isNaN(lowest) ? null : lowest >= 0.6);
        for (Map<String, Object> ratio :
                (List<Map<String, Object>>) report.getOrDefault("recomputeRatios", List.of())) {
            if (ratio.get("baseline").equals("recompute-dl4j")) {
                double value = (Double) ratio.get("classifierOverRecompute");
                add(
                        targets,
                        "End to end: >= 30x the throughput of window recompute (DL4J network.output"
                                + " over the last 50 events)",
                        "classifier / window recompute",
                        value,
                        ">= 30",
                        value >= 30);
            }
        }
        for (Map<String, Object> row :
                (List<Map<String, Object>>) report.getOrDefault("latency", List.of())) {
            Map<String, Object> append = (Map<String, Object>) row.get("appendMs");
            // Rows named "low latency, ..." change one low-latency setting back, to show its
            // cost; the target is judged on the settings the README recommends and the defaults.
            if (row.get("delivery").equals("at-least-once")
                    && (Double) row.get("shareOfMaximum") == 0.5
                    && !row.get("setup").toString().startsWith("low latency,")
                    && append.containsKey("p99")) {
                double p99 = ((Number) append.get("p99")).doubleValue();
                add(
                        targets,
                        "End to end: p99 latency <= 20 ms at-least-once at half the maximum rate ("
                                + row.get("setup")
                                + ")",
                        "p99 ms, event sent to result appended",
                        p99,
                        "<= 20",
                        p99 <= 20);
            }
        }
        shadowThroughput(report, targets);
        List<Map<String, Object>> state =
                ((List<Map<String, Object>>) report.getOrDefault("state", List.of()))
                        .stream()
                                // Rows with shadows measure what a shadow adds, not the floor.
                                .filter(r -> !r.containsKey("shadows"))
                                .toList();
        double beyond =
                state.stream()
                        .mapToDouble(r -> (Double) r.get("bytesPerKeyBeyondHiddenState"))
                        .max()
                        .orElse(Double.NaN);
        add(
                targets,
                STATE_TARGET,
                "savepoint bytes per key beyond h and c, largest of " + state.size() + " backends",
                beyond,
                "<= " + STATE_BYTES_PER_KEY,
                Double.isNaN(beyond) ? null : beyond <= STATE_BYTES_PER_KEY);
        return targets;
    }

    /**
     * One shadow's throughput over none, the median of the rounds per backend and the lowest
     * backend; only in reports that measured shadows.
     */
    @SuppressWarnings("unchecked")
    private static void shadowThroughput(
            Map<String, Object> report, List<Map<String, Object>> targets) {
        List<Map<String, Object>> ratios =
                ((List<Map<String, Object>>) report.getOrDefault("shadowRatios", List.of()))
                        .stream().filter(r -> ((Number) r.get("shadows")).intValue() == 1).toList();
        if (ratios.isEmpty()) {
            return;
        }
        Map<Object, List<Double>> byBackend = new TreeMap<>();
        for (Map<String, Object> ratio : ratios) {
            byBackend
                    .computeIfAbsent(ratio.get("backend"), b -> new ArrayList<>())
                    .add((Double) ratio.get("withShadowsOverNone"));
        }
        double lowest =
                byBackend.values().stream().mapToDouble(Targets::median).min().orElseThrow();
        add(
                targets,
                "Shadows: the job with one shadow keeps >= 60% of its throughput without",
                "one shadow / none, median of "
                        + ratios.size() / byBackend.size()
                        + " rounds, lowest of "
                        + byBackend.size()
                        + " backends",
                lowest,
                ">= 0.6",
                lowest >= 0.6);
    }
}
