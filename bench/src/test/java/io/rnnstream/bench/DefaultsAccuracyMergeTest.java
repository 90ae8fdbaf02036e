package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultsAccuracyMergeTest {

    @TempDir Path out;

    @Test
    void reportsThatRanSideBySideBecomeOneWithTheirRowsInTheOrderGiven() throws Exception {
        part("first", "defaults A", 100, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "IPD");
        part("second", "defaults A", 100, "2026-01-01T00:00:05Z", "2026-01-01T02:00:00Z", "PLAID");

        DefaultsAccuracy.merge(out, new String[] {"second", "first"}, "joined");

        JsonNode joined = new ObjectMapper().readTree(out.resolve("joined.json").toFile());
        assertThat(joined.get("results").findValuesAsText("dataset"))
                .containsExactly("PLAID", "IPD");
        assertThat(joined.get("startedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(joined.get("finishedAt").asText()).isEqualTo("2026-01-01T02:00:00Z");
        assertThat(joined.get("mergedFrom").toString()).isEqualTo("[\"second\",\"first\"]");
        assertThat(Files.readString(out.resolve("joined.md")))
                .contains("the best of 100 epochs")
                .contains("| PLAID | [4, 5] | 0.550 (0.500-0.600) | 1 | 0.450 (0.400-0.500) |")
                .contains("| IPD | [4, 5] | 0.550 (0.500-0.600) | 1 | 0.450 (0.400-0.500) |");
    }

    @Test
    void reportsOfOtherDefaultsOrAnotherPyTorchRecipeAreRefused() throws Exception {
        part("first", "defaults A", 100, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "IPD");
        part("other", "defaults B", 100, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "PLAID");
        part("shorter", "defaults A", 50, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "PLAID");

        assertThatThrownBy(() -> DefaultsAccuracy.merge(out, new String[] {"first", "other"}, "x"))
                .hasMessageContaining("other.json: defaults");
        assertThatThrownBy(
                        () -> DefaultsAccuracy.merge(out, new String[] {"first", "shorter"}, "x"))
                .hasMessageContaining("shorter.json: torchEpochs 50 differs from first.json's 100");
        Files.writeString(
                out.resolve("older.json"),
                Files.readString(out.resolve("first.json")).replace("\"torchEpochs\": 100,", ""));
        assertThatThrownBy(() -> DefaultsAccuracy.merge(out, new String[] {"older", "first"}, "x"))
                .hasMessageContaining("older.json: no torchEpochs");
        assertThat(out.resolve("x.json")).doesNotExist();
    }

    private void part(
            String name,
            String defaults,
            int torchEpochs,
            String startedAt,
            String finishedAt,
            String dataset)
            throws Exception {
        Files.writeString(
                out.resolve(name + ".json"),
                """
                {"startedAt": "%s", "machine": {"cores": 2}, "defaults": "%s",
                 "torchEpochs": %d,
                 "results": [{"dataset": "%s", "seeds": [4, 5], "testAccuracy": [0.5, 0.6],
                              "seconds": [1.0, 1.0], "torchTestAccuracy": [0.4, 0.5]}],
                 "finishedAt": "%s"}
                """
                        .formatted(startedAt, defaults, torchEpochs, dataset, finishedAt));
    }
}
