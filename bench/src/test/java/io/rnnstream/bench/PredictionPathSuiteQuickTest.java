package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick prediction-path suite runs both operators through JMH and reports the ratio its own
 * measurements give. No timing thresholds.
 */
class PredictionPathSuiteQuickTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void reportsTheThroughputRatioOfItsOwnMeasurements(@TempDir Path out) throws Exception {
        JsonNode result = new ObjectMapper().readTree(PredictionPathSuite.run(true, out).toFile());

        double classifier = result.get("classifierUsPerEvent").asDouble();
        double languageModel = result.get("languageModelUsPerEvent").asDouble();
        assertThat(classifier).isPositive();
        assertThat(languageModel).isPositive();
        assertThat(result.get("languageModelThroughputRelativeToClassifier").asDouble())
                .isCloseTo(classifier / languageModel, Offset.offset(1e-12));
        assertThat(Files.readString(out.resolve("lm-path-quick.md")))
                .contains("Language-model throughput relative to the classifier's");
    }
}
