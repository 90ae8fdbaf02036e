package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick truncated-BPTT suite runs end to end (PyTorch and rnnstream training processes) and
 * every ratio it reports is the one its own measurements give. No timing thresholds.
 */
class TbpttSuiteQuickTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quickSuiteReportsRatiosComputedFromItsMeasurements(@TempDir Path out) throws Exception {
        // Locally PyTorch may be absent; CI installs it (.ci/run), so there the test never skips.
        Assumptions.assumeTrue(
                "true".equals(System.getenv("CI")) || BenchSuiteQuickTest.torchAvailable(),
                "python3-torch is not installed");

        Path json = TbpttSuite.run(true, out, BenchSuite.findDataDirectory());
        JsonNode result = new ObjectMapper().readTree(json.toFile());

        ResultChecks.assertTbpttRatiosRecomputed(result);
        JsonNode longSequence = result.get("longSequence");
        assertThat(longSequence.get("rnnstream").get(0).get("charactersPerSecond").asDouble())
                .isPositive();
        assertThat(longSequence.get("rnnstream").get(0).get("breakdownMsPerUpdate").size())
                .isEqualTo(5);
        JsonNode products = longSequence.get("stepProducts");
        for (String side : new String[] {"rnnstream", "torch"}) {
            assertThat(products.get(side)).as("one product probe a round").hasSize(1);
            assertThat(products.get(side).get(0).get("forwardMicros").asDouble()).isPositive();
            assertThat(products.get(side).get(0).get("backwardMicros").asDouble()).isPositive();
        }
        // CI installs libopenblas0-pthread, so there rnnstream also runs on the machine's OpenBLAS;
        // each run reports which library it mapped.
        if ("true".equals(System.getenv("CI"))) {
            assertThat(result.has("systemOpenBlas")).as("the machine's OpenBLAS found").isTrue();
        }
        assertThat(longSequence.get("rnnstream").get(0).get("openblas").toString())
                .contains("/.javacpp/cache/openblas-0.");
        if (result.has("systemOpenBlas")) {
            String library = result.get("systemOpenBlas").asText();
            assertThat(longSequence.get("rnnstreamSystemBlas").get(0).get("openblas").toString())
                    .contains(library)
                    .doesNotContain("/.javacpp/cache/openblas-0.");
            assertThat(result.get("recipe").get(0).get("rnnstreamSystemBlas")).isNotNull();
        }
        JsonNode memory = result.get("memory");
        assertThat(memory.get("long").get("updates").asInt())
                .as("the long run made ten times the updates")
                .isEqualTo(10 * memory.get("short").get("updates").asInt());
        assertThat(Files.readString(out.resolve("tbptt-quick.md")))
                .contains(
                        "Long sequences",
                        "Peak memory",
                        "JapaneseVowels",
                        "per-step matrix products");
    }
}
