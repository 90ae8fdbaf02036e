package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick end-to-end suite runs on a real broker and Flink and reports every figure with a sane
 * value; no timing thresholds.
 */
class EndToEndSuiteQuickTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void quickSuiteReportsEveryFigure(@TempDir Path out) throws Exception {
        Path json = EndToEndSuite.run(true, out);
        JsonNode report = new ObjectMapper().readTree(json.toFile());

        JsonNode operator = report.get("operator");
        assertThat(operator).as("operator benchmark rows").hasSize(1);
        for (String figure : new String[] {"batchedUsPerEvent", "oneKeyUsPerEvent"}) {
            assertThat(operator.get(0).get(figure).asDouble()).as(figure).isPositive().isFinite();
        }

        assertThat(report.get("throughput")).hasSize(2);
        for (JsonNode row : report.get("throughput")) {
            assertThat(row.get("eventsPerSecond").asDouble()).as(row.toString()).isPositive();
        }
        assertThat(report.get("ratios")).hasSize(1);
        assertThat(report.get("ratios").get(0).get("classifierOverPassThrough").asDouble())
                .isPositive();

        assertThat(report.get("windowRecompute")).hasSize(2);
        for (JsonNode row : report.get("windowRecompute")) {
            assertThat(row.get("eventsPerSecond").asDouble()).as(row.toString()).isPositive();
            assertThat(row.get("meanWindow").asDouble()).isBetween(1.0, 50.0);
        }
        assertThat(report.get("recomputeRatios")).hasSize(2);

        JsonNode latency = report.get("latency").get(0);
        assertThat(latency.get("resultsInWindow").asLong())
                .as("every sequence ended in the measured window has its result: %s", latency)
                .isEqualTo(latency.get("sequencesInWindow").asLong())
                .isPositive();
        JsonNode append = latency.get("appendMs");
        assertThat(append.get("p50").asLong())
                .isNotNegative()
                .isLessThanOrEqualTo(append.get("p99").asLong());
        assertThat(append.get("p99").asLong()).isLessThanOrEqualTo(append.get("max").asLong());

        for (JsonNode row : report.get("state")) {
            assertThat(row.get("bytesPerKey").asDouble())
                    .as("a savepoint holds at least every key's hidden state: %s", row)
                    .isGreaterThan(row.get("hiddenStateBytes").asDouble());
            for (String start : new String[] {"startWithoutState", "startFromSavepoint"}) {
                JsonNode started = row.get(start);
                assertThat(started.get("submitToRunningMs").asLong())
                        .as("%s: every task ran after submission: %s", start, row)
                        .isPositive()
                        .isGreaterThanOrEqualTo(started.get("submitToDeployedMs").asLong());
            }
        }
        // Every target of the end-to-end part is evaluated (met or not), none left unmeasured.
        assertThat(report.get("targets")).hasSize(4);
        for (JsonNode target : report.get("targets")) {
            assertThat(target.get("met").isBoolean()).as(target.toString()).isTrue();
        }
        ResultChecks.assertStateTargetRecomputed(report);
        assertThat(Files.readString(out.resolve("e2e-quick.md")))
                .contains(
                        "Classifier operator alone",
                        "classifier / pass-through",
                        "Window recompute",
                        "Latency",
                        "restore");
    }
}
