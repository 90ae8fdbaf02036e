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
    void quickSuiteReportsThroughputRatiosAndStateSize(@TempDir Path out) throws Exception {
        Path json = EndToEndSuite.run(true, out);
        JsonNode report = new ObjectMapper().readTree(json.toFile());

        assertThat(report.get("throughput")).hasSize(2);
        for (JsonNode row : report.get("throughput")) {
            assertThat(row.get("eventsPerSecond").asDouble()).as(row.toString()).isPositive();
        }
        assertThat(report.get("ratios")).hasSize(1);
        assertThat(report.get("ratios").get(0).get("classifierOverPassThrough").asDouble())
                .isPositive();
        for (JsonNode row : report.get("state")) {
            assertThat(row.get("bytesPerKey").asDouble())
                    .as("a savepoint holds at least every key's hidden state: %s", row)
                    .isGreaterThan(row.get("hiddenStateBytes").asDouble());
        }
        assertThat(Files.readString(out.resolve("e2e-quick.md")))
                .contains("classifier / pass-through");
    }
}
