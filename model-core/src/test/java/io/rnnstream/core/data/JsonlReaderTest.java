package io.rnnstream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.model.InputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {

    @TempDir Path dir;

    @Test
    void readsFeatureLinesWithSortedLabelsAndDefaultIds() throws IOException {
        Path file =
                write(
                        """
                        {"id": "walk-17", "features": [[0.1, 2.0], [0.2, 1.9]], "label": "walk"}

                        {"features": [[1, 2]], "label": "run", "extra": true}
                        """);

        Dataset dataset = JsonlReader.read(file);

        assertThat(dataset.inputKind()).isEqualTo(InputKind.FEATURES);
        assertThat(dataset.featureDimension()).isEqualTo(2);
        assertThat(dataset.labels()).containsExactly("run", "walk");
        assertThat(dataset.sequences())
                .extracting(LabeledSequence::id)
                .containsExactly("walk-17", "data.jsonl:3");
        assertThat(dataset.sequences().get(0).features())
                .isDeepEqualTo(new float[][] {{0.1f, 2.0f}, {0.2f, 1.9f}});
    }

    @Test
    void readsTokensAsGivenAndTextThroughTheTokenizer() throws IOException {
        Path file =
                write(
                        """
                        {"tokens": ["Not", "good"], "label": "negative"}
                        {"text": "A gripping, funny film", "label": "positive"}
                        """);

        Dataset dataset = JsonlReader.read(file);

        assertThat(dataset.inputKind()).isEqualTo(InputKind.TOKENS);
        assertThat(dataset.sequences())
                .extracting(LabeledSequence::tokens)
                .containsExactly(List.of("Not", "good"), List.of("a", "gripping", "funny", "film"));
    }

    @Test
    void refusesInvalidJson() throws IOException {
        Path file = write("{\"tokens\": [\"a\"], \"label\": \"x\"}\n{\"tokens\": [\"a\"\n");

        assertRefused(file, "2: line: not valid JSON");
    }

    @Test
    void refusesTrailingDataAfterTheObjectOnALine() throws IOException {
        Path file =
                write(
                        "{\"tokens\": [\"a\"], \"label\": \"x\"} {\"tokens\": [\"b\"], \"label\": \"y\"}\n");

        assertRefused(file, "1: line: not valid JSON");
    }

    @Test
    void refusesMissingLabel() throws IOException {
        Path file = write("{\"tokens\": [\"a\"]}\n");

        assertRefused(file, "1: label: expected a non-empty string");
    }

    @Test
    void refusesFeatureStepsOfUnequalLength() throws IOException {
        Path file = write("{\"features\": [[1, 2, 3], [4, 5]], \"label\": \"x\"}\n");

        assertRefused(file, "1: features[1]: expected 3 numbers, got 2");
    }

    @Test
    void refusesFeatureDimensionThatDiffersFromEarlierLines() throws IOException {
        Path file =
                write(
                        """
                        {"features": [[1, 2, 3]], "label": "x"}
                        {"features": [[1, 2]], "label": "y"}
                        """);

        assertRefused(file, "2: features[0]: expected 3 numbers, got 2");
    }

    @Test
    void refusesMixingFeaturesAndTokensAcrossLines() throws IOException {
        Path file =
                write(
                        """
                        {"features": [[1, 2]], "label": "x"}
                        {"tokens": ["a"], "label": "y"}
                        """);

        assertRefused(file, "2: tokens/text: the lines before hold FEATURES");
    }

    @Test
    void refusesNonNumberInFeatures() throws IOException {
        Path file = write("{\"features\": [[1, \"2\"]], \"label\": \"x\"}\n");

        assertRefused(file, "1: features[0][1]: expected a number, got STRING");
    }

    @Test
    void refusesFeatureValueBeyondFloatRange() throws IOException {
        Path file = write("{\"features\": [[1, 1e39]], \"label\": \"x\"}\n");

        assertRefused(file, "1: features[0][1]: expected a finite float");
    }

    @Test
    void refusesLineWithBothFeaturesAndTokens() throws IOException {
        Path file = write("{\"features\": [[1]], \"tokens\": [\"a\"], \"label\": \"x\"}\n");

        assertRefused(file, "1: features/tokens/text: expected exactly one of them, found 2");
    }

    private Path write(String content) throws IOException {
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, content);
        return file;
    }

    private static void assertRefused(Path file, String lineFieldAndProblem) {
        assertThatThrownBy(() -> JsonlReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":" + lineFieldAndProblem);
    }
}
