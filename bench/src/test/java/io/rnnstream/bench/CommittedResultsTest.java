package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The committed results in {@code bench/results} say only what their measurements give: each target
 * and ratio recomputed from the figures it names ({@link ResultChecks}), the markdown report the
 * renderer makes of the JSON, and the load note only when the load exceeded the cores.
 */
class CommittedResultsTest {

    static Path results() {
        return BenchSuite.findDataDirectory().getParent().resolve("bench/results");
    }

    static JsonNode read(String file) throws IOException {
        return new ObjectMapper().readTree(results().resolve(file).toFile());
    }

    @Test
    void theStepSuiteTargetsAreTheOnesItsMeasurementsGive() throws IOException {
        ResultChecks.assertTargetsRecomputed(read("bench-full.json"));
    }

    @Test
    void theTruncatedBpttRatiosAreMediansOfPerRoundRatios() throws IOException {
        ResultChecks.assertTbpttRatiosRecomputed(read("tbptt-full.json"));
    }

    @Test
    void theStateTargetIsTheLargestBytesPerKeyOfTheStateRun() throws IOException {
        ResultChecks.assertStateTargetRecomputed(read("e2e-full-state.json"));
    }

    @Test
    void theTruncatedBpttReportIsTheRenderingOfItsJson() throws IOException {
        assertThat(Files.readString(results().resolve("tbptt-full.md")))
                .isEqualTo(TbpttSuite.render(read("tbptt-full.json")));
    }

    @Test
    void theStepSuiteReportIsTheRenderingOfItsJson() throws IOException {
        JsonNode result = read("bench-full.json");
        String committed = Files.readString(results().resolve("bench-full.md"));
        assertThat(committed).isEqualTo(Markdown.render(result));
        ResultChecks.assertLoadNote(result, committed);
    }

    @Test
    void theLanguageModelReportsAreTheRenderingsOfTheirJsonAndTheirTargetsAreRecomputed()
            throws IOException {
        JsonNode lm = read("lm-full.json");
        assertThat(java.nio.file.Files.readString(results().resolve("lm-full.md")))
                .isEqualTo(LanguageModelSuite.render(lm));
        JsonNode comparison = lm.get("shakespeare");
        JsonNode seeds = comparison.get("seeds");
        assertThat(seeds).hasSize(LanguageModelSuite.SEEDS.length);
        double difference =
                LanguageModelSuite.meanValidation(seeds, "rnnstream")
                        - LanguageModelSuite.meanValidation(seeds, "torch");
        assertThat(comparison.get("validationDifference").asDouble())
                .isCloseTo(difference, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(comparison.get("lossWithinMargin").asBoolean())
                .isEqualTo(difference <= LanguageModelSuite.LOSS_MARGIN);
        double[] ratios = new double[seeds.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] =
                    seeds.get(i).get("rnnstream").get("charactersPerSecond").asDouble()
                            / seeds.get(i).get("torch").get("charactersPerSecond").asDouble();
        }
        assertThat(comparison.get("speedRatio").asDouble())
                .isCloseTo(
                        TrainingSummary.median(ratios), org.assertj.core.data.Offset.offset(1e-12));

        JsonNode path = read("lm-path-full.json");
        assertThat(java.nio.file.Files.readString(results().resolve("lm-path-full.md")))
                .isEqualTo(PredictionPathSuite.render(path));
        assertThat(path.get("languageModelThroughputRelativeToClassifier").asDouble())
                .isCloseTo(
                        path.get("classifierUsPerEvent").asDouble()
                                / path.get("languageModelUsPerEvent").asDouble(),
                        org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void theBatchingRatiosPairTheTwoRunsOfOneRound() throws IOException {
        JsonNode result = read("e2e-full-batching.json");
        JsonNode ratios = result.get("batchingRatios");
        assertThat(ratios).as("three rounds, two backends").hasSize(6);
        for (JsonNode ratio : ratios) {
            int round = ratio.get("round").asInt();
            String backend = ratio.get("backend").asText();
            double batched = 0;
            double oneKey = 0;
            for (JsonNode row : result.get("throughput")) {
                if (row.get("round").asInt() == round
                        && row.get("backend").asText().equals(backend)) {
                    if (row.get("model").asText().equals("lstm")) {
                        batched = row.get("eventsPerSecond").asDouble();
                    } else {
                        oneKey = row.get("eventsPerSecond").asDouble();
                    }
                }
            }
            assertThat(ratio.get("batchedOverOneKey").asDouble())
                    .as("round %d, %s", round, backend)
                    .isCloseTo(batched / oneKey, within(1e-9));
        }
    }

    @Test
    void theMillionKeyTargetIsTheLowestMedianOfTheJobsOwnConfigurations() throws IOException {
        JsonNode result = read("e2e-full-million.json");
        Map<String, List<Double>> byBackend = new TreeMap<>();
        for (JsonNode ratio : result.get("ratios")) {
            int round = ratio.get("round").asInt();
            String backend = ratio.get("backend").asText();
            Map<String, Double> rates = new TreeMap<>();
            for (JsonNode row : result.get("throughput")) {
                if (row.get("round").asInt() == round
                        && row.get("backend").asText().equals(backend)) {
                    rates.put(row.get("model").asText(), row.get("eventsPerSecond").asDouble());
                }
            }
            assertThat(ratio.get("classifierOverPassThrough").asDouble())
                    .as("round %d, %s", round, backend)
                    .isCloseTo(rates.get("lstm") / rates.get("pass-through"), within(1e-9));
            byBackend
                    .computeIfAbsent(backend, b -> new ArrayList<>())
                    .add(ratio.get("classifierOverPassThrough").asDouble());
        }
        assertThat(byBackend.values())
                .as("three rounds of every configuration")
                .allMatch(ratios -> ratios.size() == 3);
        byBackend.remove(EndToEndSuite.ROCKSDB_FLINK_OPTIONS);
        double lowest =
                byBackend.values().stream()
                        .mapToDouble(
                                ratios ->
                                        TrainingSummary.median(
                                                ratios.stream()
                                                        .mapToDouble(Double::doubleValue)
                                                        .toArray()))
                        .min()
                        .orElseThrow();
        JsonNode target = result.get("targets").get(0);
        assertThat(target.get("target").asText()).contains("pass-through");
        assertThat(target.get("value").asDouble()).isCloseTo(lowest, within(1e-9));
        assertThat(target.get("met").asBoolean()).isEqualTo(lowest >= 0.6);
    }

    @Test
    void theShadowRatiosPairTheRunsOfOneRoundInWhichEveryShadowRan() throws IOException {
        JsonNode result = read("e2e-full-shadow.json");
        JsonNode ratios = result.get("shadowRatios");
        assertThat(ratios).as("three rounds, two backends, one and two shadows").hasSize(12);
        for (JsonNode ratio : ratios) {
            double none = Double.NaN;
            JsonNode withShadows = null;
            for (JsonNode row : result.get("throughput")) {
                if (row.get("round").equals(ratio.get("round"))
                        && row.get("backend").equals(ratio.get("backend"))) {
                    if (row.get("model").asText().equals("lstm")) {
                        none = row.get("eventsPerSecond").asDouble();
                    } else if (row.get("shadows").equals(ratio.get("shadows"))) {
                        withShadows = row;
                    }
                }
            }
            assertThat(ratio.get("withShadowsOverNone").asDouble())
                    .as("%s", ratio)
                    .isCloseTo(withShadows.get("eventsPerSecond").asDouble() / none, within(1e-9));
            // A ratio means something only if the shadows ran on the sequences measured.
            assertThat(withShadows.get("shadowResults").asLong())
                    .as("shadow results of %s", withShadows)
                    .isGreaterThanOrEqualTo(
                            9L
                                    * withShadows.get("shadows").asLong()
                                    * withShadows.get("sequences").asLong()
                                    / 10);
        }
        Map<String, List<Double>> oneShadow = new TreeMap<>();
        for (JsonNode ratio : ratios) {
            if (ratio.get("shadows").asInt() == 1) {
                oneShadow
                        .computeIfAbsent(ratio.get("backend").asText(), b -> new ArrayList<>())
                        .add(ratio.get("withShadowsOverNone").asDouble());
            }
        }
        double lowestMedian =
                oneShadow.values().stream()
                        .mapToDouble(
                                v ->
                                        TrainingSummary.median(
                                                v.stream().mapToDouble(d -> d).toArray()))
                        .min()
                        .orElseThrow();
        JsonNode target = null;
        for (JsonNode t : result.get("targets")) {
            if (t.get("target").asText().startsWith("Shadows:")) {
                target = t;
            }
        }
        assertThat(target.get("value").asDouble()).isCloseTo(lowestMedian, within(1e-12));
        assertThat(target.get("met").asBoolean()).isEqualTo(lowestMedian >= 0.6);
        JsonNode state = result.get("state");
        assertThat(result.get("shadowStateBytesPerKey").asDouble())
                .isCloseTo(
                        state.get(1).get("bytesPerKey").asDouble()
                                - state.get(0).get("bytesPerKey").asDouble(),
                        within(1e-9));
        for (JsonNode row : result.get("shadowCost").get("rows")) {
            assertThat(row.get("noShadowOverOneShadow").asDouble())
                    .isCloseTo(
                            row.get("noShadowUsPerEvent").asDouble()
                                    / row.get("oneShadowUsPerEvent").asDouble(),
                            within(1e-9));
        }
    }

    @Test
    void theEndToEndReportsAreTheRenderingsOfTheirJson() throws IOException {
        for (String name :
                List.of(
                        "e2e-full",
                        "e2e-full-batching",
                        "e2e-full-state",
                        "e2e-full-state-format1",
                        "e2e-full-million",
                        "e2e-full-shadow")) {
            Map<String, Object> result =
                    new ObjectMapper()
                            .readValue(
                                    results().resolve(name + ".json").toFile(),
                                    new TypeReference<LinkedHashMap<String, Object>>() {});
            assertThat(Files.readString(results().resolve(name + ".md")))
                    .as(name)
                    .isEqualTo(EndToEndReport.markdown(result));
        }
    }

    @Test
    void theLoadNoteAppearsOnlyWhenTheLoadExceededTheCores() throws IOException {
        ObjectNode result = (ObjectNode) read("bench-full.json");
        ObjectNode load = (ObjectNode) result.get("loadAverage1m");
        load.put("before", 1.2).put("after", 1.9);
        String quiet = Markdown.render(result);
        assertThat(quiet).doesNotContain("other processes shared the CPUs");
        ResultChecks.assertLoadNote(result, quiet);
        load.put("after", 2.4);
        String busy = Markdown.render(result);
        assertThat(busy).contains("(2.40, above the 2 cores: other processes shared the CPUs");
        ResultChecks.assertLoadNote(result, busy);
    }

    @Test
    void theSoakReportsAreTheRenderingsOfTheirJsonAndTheirVerdictsFollowFromTheirCounts()
            throws IOException {
        JsonNode exactlyOnce = assertSoakReport("soak-30min");
        assertThat(exactlyOnce.get("settings").get("jobSettings").size()).isZero();
        JsonNode withRegistry = assertSoakReport("soak-8min");
        assertThat(withRegistry.get("passed").asBoolean()).isTrue();
        JsonNode languageModelsOnTheRegistry = assertSoakReport("soak-10min");
        assertThat(languageModelsOnTheRegistry.get("passed").asBoolean()).isTrue();
        JsonNode atLeastOnce = assertSoakReport("soak-3min-at-least-once");
        assertThat(
                        atLeastOnce
                                .get("settings")
                                .get("jobSettings")
                                .get("delivery.guarantee")
                                .asText())
                .isEqualTo("at-least-once");
        assertThat(atLeastOnce.get("passed").asBoolean()).isFalse();
    }

    private static JsonNode assertSoakReport(String name) throws IOException {
        JsonNode soak = read(name + ".json");
        assertThat(Files.readString(results().resolve(name + ".md")))
                .as(name)
                .isEqualTo(SoakReport.render(soak));
        JsonNode verdict = soak.get("verdict");
        long expected = verdict.get("expected").asLong();
        long lost = verdict.get("lost").asLong();
        long duplicated = verdict.get("duplicated").asLong();
        long mismatched = verdict.get("mismatched").asLong();
        long unexpected = verdict.get("unexpected").asLong();
        // Every received result is the first of an expected sequence, a duplicate or unexpected.
        assertThat(verdict.get("received").asLong())
                .isEqualTo(expected - lost + duplicated + unexpected);
        long byVersion = 0;
        for (JsonNode count : verdict.get("resultsByVersion")) {
            byVersion += count.asLong();
        }
        assertThat(byVersion).isEqualTo(verdict.get("received").asLong());
        assertThat(verdict.get("expected").asLong())
                .isEqualTo(soak.get("load").get("sequences").asLong());
        boolean recovered = true;
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        for (JsonNode fault : soak.get("faultSchedule")) {
            recovered &= fault.get("recovered").asBoolean();
            kinds.add(fault.get("kind").asText());
        }
        assertThat(kinds)
                .as("every kind of fault struck")
                .hasSize(SoakSchedule.Kind.values().length);
        assertThat(soak.get("passed").asBoolean())
                .isEqualTo(
                        lost == 0
                                && duplicated == 0
                                && mismatched == 0
                                && unexpected == 0
                                && recovered
                                && soak.get("load").get("sendFailures").asLong() == 0);
        return soak;
    }
}
