package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Medians over the repeated runs of one training configuration: throughput, accuracies, and the
 * ratio to a reference taken round by round (run i against the reference's run i), so that a round
 * in which the machine was busier slows both sides of its ratio.
 */
final class TrainingSummary {

    private TrainingSummary() {}

    /** Median sequences per second and accuracies of {@code runs}, plus each run's throughput. */
    static Map<String, Object> of(List<JsonNode> runs) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runs", runs.size());
        summary.put("sequencesPerSecond", median(runs, "sequencesPerSecond"));
        summary.put("validationAccuracy", median(runs, "validationAccuracy"));
        summary.put("testAccuracy", median(runs, "testAccuracy"));
        summary.put("trainSequences", runs.get(0).get("trainSequences").asInt());
        summary.put(
                "sequencesPerSecondEachRun",
                runs.stream().map(r -> r.get("sequencesPerSecond").asDouble()).toList());
        return summary;
    }

    /** The median over rounds of {@code runs[i] / references[i]} in sequences per second. */
    static double medianRatio(List<JsonNode> runs, List<JsonNode> references) {
        return median(ratiosEachRound(runs, references, "sequencesPerSecond"));
    }

    /** {@code runs[i] / references[i]} in {@code field}, round by round. */
    static double[] ratiosEachRound(List<JsonNode> runs, List<JsonNode> references, String field) {
        if (runs.size() != references.size()) {
            throw new IllegalArgumentException(
                    runs.size() + " runs but " + references.size() + " reference runs");
        }
        double[] ratios = new double[runs.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = runs.get(i).get(field).asDouble() / references.get(i).get(field).asDouble();
        }
        return ratios;
    }

    private static double median(List<JsonNode> runs, String field) {
        return median(runs.stream().mapToDouble(r -> r.get(field).asDouble()).toArray());
    }

    /** The median of {@code field} over the runs of a JSON array. */
    static double median(JsonNode runs, String field) {
        double[] values = new double[runs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = runs.get(i).get(field).asDouble();
        }
        return median(values);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
