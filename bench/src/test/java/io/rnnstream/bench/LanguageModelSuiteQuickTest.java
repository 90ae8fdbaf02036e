package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick language-model suite runs end to end (PyTorch and rnnstream training processes, the
 * cell scores) and every target row is the one its own measurements give. No timing thresholds.
 */
class LanguageModelSuiteQuickTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quickSuiteReportsTargetsComputedFromItsMeasurements(@TempDir Path out) throws Exception {
        // Locally PyTorch may be absent; CI installs it (.ci/run), so there the test never skips.
        Assumptions.assumeTrue(
                "true".equals(System.getenv("CI")) || BenchSuiteQuickTest.torchAvailable(),
                "python3-torch is not installed");

        Path json = LanguageModelSuite.run(true, out, BenchSuite.findDataDirectory());
        JsonNode result = new ObjectMapper().readTree(json.toFile());

        JsonNode comparison = result.get("shakespeare");
        JsonNode ours = comparison.get("rnnstream");
        JsonNode torch = comparison.get("torch");
        JsonNode seeds = comparison.get("seeds");
        assertThat(seeds.get(0).get("rnnstream")).isEqualTo(ours);
        double difference =
                LanguageModelSuite.lastValidation(ours) - LanguageModelSuite.lastValidation(torch);
        assertThat(comparison.get("validationDifference").asDouble())
                .isCloseTo(difference, Offset.offset(1e-12));
        assertThat(comparison.get("lossWithinMargin").asBoolean())
                .isEqualTo(difference <= LanguageModelSuite.LOSS_MARGIN);
        assertThat(
                        LanguageModelSuite.meanValidation(seeds, "rnnstream")
                                - LanguageModelSuite.meanValidation(seeds, "torch"))
                .as("one seed in a quick run: the means are its losses")
                .isCloseTo(difference, Offset.offset(1e-12));
        double ratio =
                ours.get("charactersPerSecond").asDouble()
                        / torch.get("charactersPerSecond").asDouble();
        assertThat(comparison.get("speedRatio").asDouble()).isCloseTo(ratio, Offset.offset(1e-12));
        assertThat(comparison.get("speedAtLeastPyTorch").asBoolean()).isEqualTo(ratio >= 1);
        if (comparison.has("speedRatioSystemBlas")) {
            JsonNode onSystem = seeds.get(0).get(LanguageModelSuite.SYSTEM_BLAS_SIDE);
            assertThat(comparison.get("speedRatioSystemBlas").asDouble())
                    .isCloseTo(
                            onSystem.get("charactersPerSecond").asDouble()
                                    / torch.get("charactersPerSecond").asDouble(),
                            Offset.offset(1e-12));
            assertThat(comparison.get("validationDifferenceSystemBlas").asDouble())
                    .isCloseTo(
                            LanguageModelSuite.lastValidation(onSystem)
                                    - LanguageModelSuite.lastValidation(torch),
                            Offset.offset(1e-12));
        } else {
            assertThat(System.getenv("CI"))
                    .as("CI installs the machine's OpenBLAS, so the suite runs on it too")
                    .isNotEqualTo("true");
        }
        assertThat(ours.get("epochs").get(0).get("updates").asInt())
                .as(
                        "both sides made the same number of updates in the epoch, give or take the"
                                + " last partial window")
                .isBetween(
                        torch.get("epochs").get(0).get("updates").asInt(),
                        torch.get("epochs").get(0).get("updates").asInt() + 1);
        assertThat(ours.get("sample").asText()).startsWith("ROMEO:").hasSize(6 + 500);
        assertThat(result.get("cells").get("code").get("properties")).hasSize(6);
        assertThat(Files.readString(out.resolve("lm-quick.md")))
                .contains("tiny Shakespeare", "Code corpus", "Hidden units", "brace depth");
    }
}
