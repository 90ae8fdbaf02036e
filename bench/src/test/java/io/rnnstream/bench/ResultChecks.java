package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Recomputes what a benchmark report derives from its own measurements, independently of the code
 * that wrote it: each target's value and verdict from the figures the target names, each ratio from
 * the per-round throughputs it is the median of, and the load note from the load and the cores. The
 * quick tests apply it to a fresh run, {@code CommittedResultsTest} to the committed files.
 */
final class ResultChecks {

    private static final double EXACT = 1e-9;

    private ResultChecks() {}

    /** Every target of a step suite result ({@code bench-<mode>.json}). */
    static void assertTargetsRecomputed(JsonNode result) {
        JsonNode step = lstm64x16(result.get("step"));
        double serving = step.get("servingStepUs").asDouble();
        double batched = step.get("servingBatchStepUs").asDouble();
        double dl4j = step.get("dl4jTimeStepUs").asDouble();
        double bound = step.get("fmaBoundUs").asDouble();
        double torchBatch = step.get("torchBatchUs").asDouble();
        JsonNode targets = result.get("targets");
        assertThat(targets).hasSize(10);

        assertTarget(targets.get(0), "faster than DL4J rnnTimeStep", dl4j / serving, v -> v >= 200);
        assertTarget(targets.get(1), "of the FMA bound (e), one key", serving / bound, v -> v <= 5);
        assertTarget(targets.get(2), "of the FMA bound (e), batched", batched / bound, v -> v <= 5);
        assertTarget(
                targets.get(3),
                "PyTorch batch 256 (f), one key",
                serving / torchBatch,
                v -> v <= 1);
        assertTarget(
                targets.get(4),
                "PyTorch batch 256 (f), batched",
                batched / torchBatch,
                v -> v <= 1);
        assertTrainingTarget(targets.get(5), result.get("training"));
        for (int i = 6; i < 10; i++) {
            assertThat(targets.get(i).get("value").isNull()).as(targets.get(i).toString()).isTrue();
            assertThat(targets.get(i).get("met").isNull()).as(targets.get(i).toString()).isTrue();
        }
    }

    /**
     * The training target names the DL4J variant it judged and PyTorch's recipe batch: its value is
     * that variant's median of per-round ratios to PyTorch at that batch; the variant is the
     * fastest of those within one point of PyTorch's test accuracy (else the fastest of all, not
     * met).
     */
    private static void assertTrainingTarget(JsonNode target, JsonNode training) {
        String text = target.get("target").asText();
        JsonNode torch = torchAtBatch(training, TrainingComparison.RECIPE_BATCH);
        assertThat(text).contains("PyTorch (batch " + TrainingComparison.RECIPE_BATCH + ")");
        double reference = torch.get("testAccuracy").asDouble();
        JsonNode named = null;
        JsonNode fastestComparable = null;
        JsonNode fastest = null;
        for (JsonNode run : training.get("dl4j")) {
            if (!run.has("sequencesPerSecondEachRun")) {
                continue;
            }
            double ratio = medianRatio(run, torch);
            assertThat(run.get("vsTorchRecipe").asDouble())
                    .as("vsTorchRecipe of " + run.get("configuration").asText())
                    .isCloseTo(ratio, within(EXACT));
            assertThat(run.get("vsTorchSameBatch").asDouble())
                    .as("vsTorchSameBatch of " + run.get("configuration").asText())
                    .isCloseTo(
                            medianRatio(run, torchAtBatch(training, run.get("batch").asInt())),
                            within(EXACT));
            if (text.endsWith(": " + run.get("configuration").asText())) {
                named = run;
            }
            if (fastest == null || ratio > medianRatio(fastest, torch)) {
                fastest = run;
            }
            boolean comparable =
                    reference - run.get("testAccuracy").asDouble() <= Targets.ACCURACY_GAP;
            if (comparable
                    && (fastestComparable == null
                            || ratio > medianRatio(fastestComparable, torch))) {
                fastestComparable = run;
            }
        }
        assertThat(named).as("the variant the target names: " + text).isNotNull();
        JsonNode expected = fastestComparable != null ? fastestComparable : fastest;
        assertThat(named).as("the variant the rule picks").isSameAs(expected);
        double value = medianRatio(named, torch);
        assertThat(target.get("value").asDouble()).as(text).isCloseTo(value, within(EXACT));
        assertThat(target.get("met").asBoolean())
                .as(text)
                .isEqualTo(fastestComparable != null && value >= 1);
    }

    /** The ratios of a truncated-BPTT suite result ({@code tbptt-<mode>.json}). */
    /** Each phase of a side's recipe runs is the median of that phase over its runs' epochs. */
    private static void assertEpochPhasesRecomputed(JsonNode phases) {
        List<EpochPhases> runs = new ArrayList<>();
        phases.get("epochSecondsEachRun").forEach(run -> runs.add(EpochPhases.of(run)));
        Map<String, ToDoubleFunction<EpochPhases>> fields =
                Map.of(
                        "firstMs", EpochPhases::firstMs,
                        "secondToFifthMs", EpochPhases::secondToFifthMs,
                        "laterMs", EpochPhases::laterMs);
        fields.forEach(
                (field, phase) -> {
                    double[] values = runs.stream().mapToDouble(phase).toArray();
                    if (Arrays.stream(values).anyMatch(Double::isNaN)) {
                        assertThat(phases.get(field).isNumber()).as(field).isFalse();
                    } else {
                        assertThat(phases.get(field).asDouble())
                                .as(field)
                                .isCloseTo(TrainingSummary.median(values), within(EXACT));
                    }
                });
    }

    /**
     * The end-to-end report's state target is the largest bytes per key beyond the hidden floats of
     * its rows without shadows, against the target the report records.
     */
    static void assertStateTargetRecomputed(JsonNode report) {
        int recorded = report.get("stateTargetBytesPerKey").asInt();
        double largest = Double.NEGATIVE_INFINITY;
        for (JsonNode row : report.get("state")) {
            if (!row.has("shadows")) {
                largest = Math.max(largest, row.get("bytesPerKeyBeyondHiddenState").asDouble());
            }
        }
        JsonNode target = null;
        for (JsonNode candidate : report.get("targets")) {
            if (candidate.get("target").asText().startsWith("State: <= " + recorded + " bytes")) {
                target = candidate;
            }
        }
        assertThat(target).as("a state target of %d bytes", recorded).isNotNull();
        assertThat(target.get("value").asDouble()).isCloseTo(largest, within(EXACT));
        assertThat(target.get("threshold").asText()).isEqualTo("<= " + recorded);
        assertThat(target.get("met").asBoolean()).isEqualTo(largest <= recorded);
    }

    static void assertTbpttRatiosRecomputed(JsonNode result) {
        boolean onSystemBlas = result.has("systemOpenBlas");
        for (JsonNode row : result.get("recipe")) {
            assertThat(row.get("ratio").asDouble())
                    .as("recipe batch " + row.get("batch"))
                    .isCloseTo(medianRatio(row.get("rnnstream"), row.get("torch")), within(EXACT));
            if (onSystemBlas) {
                assertThat(row.get("ratioSystemBlas").asDouble())
                        .as("recipe batch " + row.get("batch") + ", system OpenBLAS")
                        .isCloseTo(
                                medianRatio(row.get("rnnstreamSystemBlas"), row.get("torch")),
                                within(EXACT));
            }
            for (String side : new String[] {"rnnstream", "torch"}) {
                assertEpochPhasesRecomputed(row.get("epochPhases").get(side));
            }
            JsonNode repeat = row.get("sameJvmRepeat");
            double[] repeatRatios = new double[row.get("torch").get("runs").asInt()];
            for (int round = 0; round < repeatRatios.length; round++) {
                repeatRatios[round] =
                        repeat.get("sequencesPerSecondEachRun").get(round).asDouble()
                                / row.get("torch")
                                        .get("sequencesPerSecondEachRun")
                                        .get(round)
                                        .asDouble();
            }
            assertThat(repeat.get("ratio").asDouble())
                    .as("second run in the same JVM, batch " + row.get("batch"))
                    .isCloseTo(TrainingSummary.median(repeatRatios), within(EXACT));
            assertEpochPhasesRecomputed(repeat.get("phases"));
        }
        JsonNode longSequence = result.get("longSequence");
        assertLongSequenceRatios(longSequence, "rnnstream", "ratioEachRound", "ratio");
        if (onSystemBlas) {
            assertLongSequenceRatios(
                    longSequence,
                    "rnnstreamSystemBlas",
                    "ratioSystemBlasEachRound",
                    "ratioSystemBlas");
        }
        JsonNode memory = result.get("memory");
        double memoryRatio =
                memory.get("long").get("peakResidentBytes").asDouble()
                        / memory.get("short").get("peakResidentBytes").asDouble();
        assertThat(memory.get("ratio").asDouble()).isCloseTo(memoryRatio, within(EXACT));
        assertThat(memory.get("withinTolerance").asBoolean())
                .isEqualTo(memoryRatio <= TbpttSuite.MEMORY_TOLERANCE);
    }

    /** One rnnstream side's per-round and median ratios in the long-sequence case. */
    private static void assertLongSequenceRatios(
            JsonNode longSequence, String side, String eachRound, String median) {
        JsonNode ours = longSequence.get(side);
        JsonNode torch = longSequence.get("torch");
        assertThat(ours.size()).as(side).isEqualTo(torch.size());
        double[] ratios = new double[ours.size()];
        for (int round = 0; round < ratios.length; round++) {
            ratios[round] =
                    ours.get(round).get("charactersPerSecond").asDouble()
                            / torch.get(round).get("charactersPerSecond").asDouble();
            assertThat(longSequence.get(eachRound).get(round).asDouble())
                    .as("long sequence, %s, round %d", side, round)
                    .isCloseTo(ratios[round], within(EXACT));
        }
        assertThat(longSequence.get(median).asDouble())
                .as("long sequence, %s, median of the rounds", side)
                .isCloseTo(median(ratios), within(EXACT));
    }

    /** The report says other processes shared the CPUs exactly when the load exceeded the cores. */
    static void assertLoadNote(JsonNode result, String markdown) {
        JsonNode load = result.get("loadAverage1m");
        boolean above =
                Math.max(load.get("before").asDouble(), load.get("after").asDouble())
                        > result.get("machine").get("cores").asInt();
        assertThat(markdown.contains("other processes shared the CPUs"))
                .as("load note for load " + load + " on " + result.get("machine").get("cores"))
                .isEqualTo(above);
    }

    private static void assertTarget(
            JsonNode target,
            String names,
            double value,
            java.util.function.DoublePredicate threshold) {
        assertThat(target.get("target").asText()).contains(names);
        assertThat(target.get("value").asDouble())
                .as(target.get("target").asText())
                .isCloseTo(value, within(EXACT * Math.max(1, Math.abs(value))));
        assertThat(target.get("met").asBoolean())
                .as(target.get("target").asText())
                .isEqualTo(threshold.test(value));
    }

    private static JsonNode lstm64x16(JsonNode steps) {
        for (JsonNode row : steps) {
            if (row.get("cell").asText().equals("LSTM")
                    && row.get("hidden").asInt() == 64
                    && row.get("input").asInt() == 16) {
                return row;
            }
        }
        throw new AssertionError("no LSTM 64/16 step row in " + steps);
    }

    private static JsonNode torchAtBatch(JsonNode training, int batch) {
        for (JsonNode torch : training.get("torch")) {
            if (torch.get("batch").asInt() == batch) {
                return torch;
            }
        }
        throw new AssertionError("no PyTorch run at batch " + batch);
    }

    /** The median over rounds of run i / reference i, sequences per second. */
    private static double medianRatio(JsonNode runs, JsonNode references) {
        JsonNode ours = runs.get("sequencesPerSecondEachRun");
        JsonNode theirs = references.get("sequencesPerSecondEachRun");
        assertThat(ours.size()).as("rounds on both sides").isEqualTo(theirs.size());
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            ratios.add(ours.get(i).asDouble() / theirs.get(i).asDouble());
        }
        return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
