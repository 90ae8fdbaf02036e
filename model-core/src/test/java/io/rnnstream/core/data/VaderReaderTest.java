package io.rnnstream.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.TestData;
import io.rnnstream.core.model.InputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaderReaderTest {

    @TempDir Path dir;

    @Test
    void readsMovieSnippetsDroppingTheNeutralOnes() throws IOException {
        VaderReader.Result result =
                VaderReader.readWithCounts(
                        TestData.path("vader-sentiment/movieReviewSnippets_GroundTruth.txt"));
        Dataset dataset = result.dataset();

        // README: 10,605 records, 5,242 rated > 0, 5,326 rated < 0 and 37 rated exactly 0
        assertThat(result.droppedNeutral()).isEqualTo(37);
        assertThat(result.droppedEmpty()).isZero();
        assertThat(dataset.size() + result.dropped()).isEqualTo(10_605);
        assertThat(dataset.sequences().stream().filter(s -> s.label().equals("positive")))
                .hasSize(5_242);
        assertThat(dataset.sequences().stream().filter(s -> s.label().equals("negative")))
                .hasSize(5_326);
        assertThat(dataset.labels()).containsExactly("negative", "positive");
        assertThat(dataset.inputKind()).isEqualTo(InputKind.TOKENS);
    }

    @Test
    void labelsBySignOfTheMeanRatingAndTokenizes() throws IOException {
        Path file =
                write("1\t2.5\tA gripping, FUNNY film!\r\n2\t-0.1\tdull\r\n3\t0\tit exists\r\n");

        Dataset dataset = VaderReader.read(file);

        assertThat(dataset.sequences())
                .extracting(LabeledSequence::id, LabeledSequence::label, LabeledSequence::tokens)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "1", "positive", List.of("a", "gripping", "funny", "film", "!")),
                        org.assertj.core.groups.Tuple.tuple("2", "negative", List.of("dull")));
    }

    @Test
    void refusesLineWithTwoFields() throws IOException {
        Path file = write("1\t2.5\tgood\r\n2\t-1.0\r\n");

        assertThatThrownBy(() -> VaderReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(
                        file
                                + ":2: line: expected 3 tab-separated fields (id, rating, text), got 2");
    }

    @Test
    void refusesNonNumericRating() throws IOException {
        Path file = write("1\tvery good\tgood\r\n");

        assertThatThrownBy(() -> VaderReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":1: rating: expected a number, got 'very good'");
    }

    @Test
    void refusesNaNRating() throws IOException {
        Path file = write("1\tNaN\tgood\r\n");

        assertThatThrownBy(() -> VaderReader.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ":1: rating: expected a finite number");
    }

    private Path write(String content) throws IOException {
        Path file = dir.resolve("snippets.txt");
        Files.writeString(file, content);
        return file;
    }
}
