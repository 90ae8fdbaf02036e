package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.DoubleStream;

/**
 * Where a training run's time went by epoch: the first epoch, epochs 2 to 5 and the rest, in
 * milliseconds per epoch. A short run on the JVM spends its first epochs compiling the trainer's
 * loops while PyTorch's compiled kernels run at full speed from the start; the phases show how much
 * of a run that is, next to the speed both sides settle at.
 */
record EpochPhases(double firstMs, double secondToFifthMs, double laterMs) {

    /** The last epoch of the second phase. */
    static final int SECOND_PHASE_END = 5;

    /** The phases of one run's {@code epochSeconds}; a phase the run did not reach is NaN. */
    static EpochPhases of(JsonNode epochSeconds) {
        int epochs = epochSeconds.size();
        if (epochs == 0) {
            throw new IllegalArgumentException("a run without epochs has no phases");
        }
        return new EpochPhases(
                meanMs(epochSeconds, 0, 1),
                meanMs(epochSeconds, 1, Math.min(epochs, SECOND_PHASE_END)),
                meanMs(epochSeconds, SECOND_PHASE_END, epochs));
    }

    /**
     * Each phase's median over {@code runs} (each run's {@code epochSeconds}), the median of the
     * runs' {@code gcSeconds} where they report it, and every run's epochs, to recompute them from.
     */
    static Map<String, Object> medians(List<JsonNode> runs) {
        List<EpochPhases> phases = runs.stream().map(r -> of(r.get("epochSeconds"))).toList();
        Map<String, Object> medians = new LinkedHashMap<>();
        medians.put("firstMs", median(phases.stream().mapToDouble(EpochPhases::firstMs)));
        medians.put(
                "secondToFifthMs",
                median(phases.stream().mapToDouble(EpochPhases::secondToFifthMs)));
        medians.put("laterMs", median(phases.stream().mapToDouble(EpochPhases::laterMs)));
        if (runs.stream().allMatch(r -> r.has("gcSeconds"))) {
            medians.put(
                    "gcSeconds",
                    median(runs.stream().mapToDouble(r -> r.get("gcSeconds").asDouble())));
        }
        medians.put("epochSecondsEachRun", runs.stream().map(r -> r.get("epochSeconds")).toList());
        return medians;
    }

    private static double meanMs(JsonNode epochSeconds, int from, int to) {
        if (from >= to) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += epochSeconds.get(i).asDouble();
        }
        return 1000 * sum / (to - from);
    }

    private static double median(DoubleStream values) {
        double[] all = values.toArray();
        for (double value : all) {
            if (Double.isNaN(value)) {
                return Double.NaN;
            }
        }
        return TrainingSummary.median(all);
    }
}
