package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick suite runs end to end (JMH forks, PyTorch, DL4J training JVMs) and reports every figure
 * with a sane value. No timing thresholds: only that each number exists, is finite and positive,
 * that relations which hold on any machine hold (nothing beats the FMA bound), and that each
 * target's value and verdict are the ones the measurements it names give ({@link ResultChecks}).
 */
class BenchSuiteQuickTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void quickSuiteReportsEveryFigure(@TempDir Path out) throws Exception {
        // Locally PyTorch may be absent; CI installs it (.ci/run), so there the test never skips.
        Assumptions.assumeTrue(
                "true".equals(System.getenv("CI")) || torchAvailable(),
                "python3-torch is not installed");

        Path json = BenchSuite.run(true, out, BenchSuite.findDataDirectory());
        JsonNode result = new ObjectMapper().readTree(json.toFile());

        assertThat(result.get("mode").asText()).isEqualTo("quick");
        assertThat(result.get("machine").get("cores").asInt()).isPositive();
        assertThat(result.get("torchEnvironment").get("threads").asInt()).isEqualTo(1);
        assertThat(result.get("torchEnvironment").get("blas").toString())
                .as("PyTorch runs on OpenBLAS, not the reference BLAS")
                .contains("openblas");
        assertThat(result.get("fmaPeak").get("gigaFmaPerSecond").asDouble()).isPositive();

        JsonNode steps = result.get("step");
        assertThat(steps).hasSize(1);
        JsonNode lstm = steps.get(0);
        assertThat(lstm.get("multiplyAdds").asLong()).isEqualTo(4L * 64 * (16 + 64));
        for (String field : BenchSuite.STEP_FIELDS) {
            double value = lstm.get(field).asDouble();
            assertThat(value).as(field).isFinite().isPositive();
            if (!field.equals("fmaBoundUs")) {
                assertThat(value)
                        .as(field + " against the arithmetic lower bound")
                        .isGreaterThan(lstm.get("fmaBoundUs").asDouble());
            }
        }

        JsonNode training = result.get("training");
        JsonNode dl4j = training.get("dl4j");
        assertThat(dl4j).hasSize(TrainingComparison.variants(true).size());
        // Each variant ran with its lever: the trainer's default engine is its windowed one and
        // its default turns JavaCPP's resident-size check off; the variants change one each.
        assertThat(dl4j.get(0).get("engine").asText()).isEqualTo("windowed");
        assertThat(dl4j.get(0).get("javacppMaxPhysicalBytes").asLong()).isZero();
        assertThat(dl4j.get(1).get("engine").asText()).isEqualTo("layer-by-layer");
        assertThat(dl4j.get(2).get("javacppMaxPhysicalBytes").asLong()).isPositive();
        for (JsonNode run : dl4j) {
            assertThat(run.get("nativeLibrary").asText()).isEqualTo("linux-x86_64");
            assertThat(run.get("vsTorchSameBatch").asDouble()).isFinite().isPositive();
            assertThat(run.get("vsTorchRecipe").asDouble()).isFinite().isPositive();
        }
        for (JsonNode run :
                List.of(dl4j.get(0), dl4j.get(1), dl4j.get(2), training.get("torch").get(0))) {
            assertThat(run.get("sequencesPerSecond").asDouble()).isFinite().isPositive();
            assertThat(run.get("testAccuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(run.get("validationAccuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(run.get("trainSequences").asInt())
                    .isEqualTo(training.get("dl4j").get(0).get("trainSequences").asInt());
        }

        ResultChecks.assertTargetsRecomputed(result);
        String markdown = Files.readString(BenchSuite.markdownFile(json));
        ResultChecks.assertLoadNote(result, markdown);
        assertThat(markdown)
                .contains("| LSTM | 64 | 16 |")
                .contains("## Targets")
                .contains("### Training variants");
    }

    static boolean torchAvailable() throws Exception {
        Process process =
                new ProcessBuilder(Processes.python(), "-c", "import torch")
                        .redirectErrorStream(true)
                        .start();
        process.getInputStream().readAllBytes();
        return process.waitFor() == 0;
    }
}
