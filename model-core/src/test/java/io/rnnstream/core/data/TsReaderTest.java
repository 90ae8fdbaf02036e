package io.rnnstream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.TestData;
import io.rnnstream.core.model.InputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IntSummaryStatistics;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Counts from the data READMEs, and the messages for malformed files. */
class TsReaderTest {

    /** A valid header with two labels and 3-step, 2-channel cases; data lines are appended. */
    private static final String HEADER =
            """
            # a tiny problem
            @problemName Tiny
            @timeStamps false
            @univariate false
            @classLabel true up down
            @data
            """;

    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "basicmotions/BasicMotions_TRAIN.ts,     40,  6, 100, 100",
        "basicmotions/BasicMotions_TEST.ts,      40,  6, 100, 100",
        "gunpoint/GunPoint_TRAIN.ts,             50,  1, 150, 150",
        "gunpoint/GunPoint_TEST.ts,             150,  1, 150, 150",
        "japanesevowels/JapaneseVowels_TRAIN.ts, 270, 12,   7,  26",
        "japanesevowels/JapaneseVowels_TEST.ts,  370, 12,   7,  29"
    })
    void readsShippedFilesWithDocumentedShape(
            String file, int cases, int channels, int minLength, int maxLength) throws IOException {
        Dataset dataset = TsReader.read(TestData.path(file));

        assertThat(dataset.size()).isEqualTo(cases);
        assertThat(dataset.featureDimension()).isEqualTo(channels);
        assertThat(dataset.inputKind()).isEqualTo(InputKind.FEATURES);
        IntSummaryStatistics lengths =
                dataset.sequences().stream().mapToInt(LabeledSequence::length).summaryStatistics();
        assertThat(lengths.getMin()).isEqualTo(minLength);
        assertThat(lengths.getMax()).isEqualTo(maxLength);
    }

    @Test
    void keepsHeaderLabelOrderAndDocumentedClassCounts() throws IOException {
        Dataset motions = TsReader.read(TestData.path("basicmotions/BasicMotions_TRAIN.ts"));
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));

        assertThat(motions.labels()).containsExactly("Standing", "Running", "Walking", "Badminton");
        assertThat(countByLabel(motions))
                .containsOnly(
                        Map.entry("Standing", 10L),
                        Map.entry("Running", 10L),
                        Map.entry("Walking", 10L),
                        Map.entry("Badminton", 10L));
        assertThat(countByLabel(vowels))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "1", 31L, "2", 35L, "3", 88L, "4", 44L, "5", 29L, "6", 24L, "7",
                                40L, "8", 50L, "9", 29L));
    }

    @Test
    void transposesChannelsIntoSteps() throws IOException {
        Path file = write("0.5,1,2:10,11,12:up\n");

        LabeledSequence only = TsReader.read(file).sequences().get(0);

        assertThat(only.features())
                .isDeepEqualTo(new float[][] {{0.5f, 10f}, {1f, 11f}, {2f, 12f}});
        assertThat(only.label()).isEqualTo("up");
    }

    @Test
    void refusesNonNumericValue() throws IOException {
        Path file = write("1,2,3:4,5,6:up\n1,x,3:4,5,6:down\n");

        assertRefused(file, 8, "dimension 1 value 2: expected a number, got 'x'");
    }

    @Test
    void refusesNaN() throws IOException {
        Path file = write("1,2,3:4,NaN,6:up\n");

        assertRefused(file, 7, "dimension 2 value 2: expected a finite number, got 'NaN'");
    }

    @Test
    void refusesMissingValueMarker() throws IOException {
        Path file = write("1,?,3:4,5,6:up\n");

        assertRefused(file, 7, "dimension 1 value 2: expected a number, got '?'");
    }

    @Test
    void refusesCaseWithoutLabel() throws IOException {
        Path file = write("1,2,3\n");

        assertRefused(file, 7, "case: expected dimensions and a label separated by ':'");
    }

    @Test
    void refusesEmptyLabel() throws IOException {
        Path file = write("1,2,3:4,5,6:\n");

        assertRefused(file, 7, "label: '' is not one of the @classLabel labels [up, down]");
    }

    @Test
    void refusesLabelNotDeclaredInClassLabel() throws IOException {
        Path file = write("1,2,3:4,5,6:sideways\n");

        assertRefused(file, 7, "label: 'sideways' is not one of the @classLabel labels [up, down]");
    }

    @Test
    void refusesDimensionsOfDifferentLength() throws IOException {
        Path file = write("1,2,3:4,5:up\n");

        assertRefused(file, 7, "dimension 2: expected 3 values like dimension 1, got 2");
    }

    @Test
    void refusesCaseWithADifferentNumberOfDimensions() throws IOException {
        Path file = write("1,2,3:4,5,6:up\n1,2,3:down\n");

        assertRefused(file, 8, "dimensions: expected 2 like the cases before, got 1");
    }

    @Test
    void refusesDataWithoutClassLabelHeader() throws IOException {
        Path file = dir.resolve("unlabelled.ts");
        Files.writeString(file, "@problemName X\n@data\n1,2:up\n");

        assertThatThrownBy(() -> TsReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":3: @classLabel: missing before @data");
    }

    private Path write(String dataLines) throws IOException {
        Path file = dir.resolve("tiny.ts");
        Files.writeString(file, HEADER + dataLines);
        return file;
    }

    /** The header takes lines 1-6, so the first data line is line 7. */
    private static void assertRefused(Path file, int line, String fieldAndProblem) {
        assertThatThrownBy(() -> TsReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":" + line + ": " + fieldAndProblem)
                .satisfies(
                        e -> {
                            DataFormatException error = (DataFormatException) e;
                            assertThat(error.file()).isEqualTo(file.toString());
                            assertThat(error.line()).isEqualTo(line);
                        });
    }

    private static Map<String, Long> countByLabel(Dataset dataset) {
        return dataset.sequences().stream()
                .collect(Collectors.groupingBy(LabeledSequence::label, Collectors.counting()));
    }
}
