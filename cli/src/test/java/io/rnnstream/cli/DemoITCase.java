package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code rnnstream demo --quick} as a user would (real broker, local Flink runtime, training,
 * retraining) and checks what it prints and writes: the stream agrees with offline evaluation, only
 * the injected records become dead letters, and the retrained version is served.
 */
class DemoITCase {

    @TempDir Path temp;

    @Test
    void quickDemoStreamsBothUseCasesLikeOfflineEvaluationAndPicksUpTheRetrainedVersion()
            throws Exception {
        Path out = temp.resolve("demo");

        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream("demo", "--quick", "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("rnnstream demo summary (quick mode")
                .contains("model versions served: motion v1 -> v2, sentiment v1")
                .contains("unexpected: none");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        Map<String, Integer> planned = Map.of("motion", 16, "sentiment", 60);
        for (JsonNode useCase : summary.get("useCases")) {
            String model = useCase.get("model").asText();
            int sequences = useCase.get("sequences").asInt();
            assertThat(sequences).as(model).isEqualTo(planned.get(model));
            assertThat(useCase.get("agreeing").asInt()).as(model).isEqualTo(sequences);
            assertThat(useCase.get("streamedAccuracy").asDouble())
                    .as(model)
                    .isEqualTo(useCase.get("offlineAccuracy").asDouble());
            assertThat(useCase.get("maxProbabilityDifference").asDouble())
                    .as(model)
                    .isLessThan(1e-5);
        }
        assertThat(counts(summary.get("deadLetters")))
                .isEqualTo(counts(summary.get("injected")))
                .containsOnlyKeys(
                        "unparsable", "wrong-dimension", "unknown-model", "missing-timestamp");
        assertThat(summary.get("versionsServed").get("motion").toString()).isEqualTo("[1,2]");
        assertThat(summary.get("retraining").get("publishedVersion").asLong()).isEqualTo(2);
        assertThat(summary.get("useCases").get(0).get("sequencesByVersion").size()).isEqualTo(2);

        String report = Files.readString(out.resolve("report.html"));
        assertThat(report).contains("<svg").contains("Hidden-unit activations");
        assertThat(summary.get("heatmaps").size()).isEqualTo(4);
    }

    private static Map<String, Integer> counts(JsonNode node) {
        Map<String, Integer> counts = new TreeMap<>();
        node.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        return counts;
    }
}
