package io.rnnstream.core.data;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.text.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the VADER ground-truth sentence files ({@code ID <TAB> MEAN-RATING <TAB> TEXT}, CRLF).
 *
 * <p>The mean human rating becomes a binary label: above 0 is {@value #POSITIVE}, below 0 is
 * {@value #NEGATIVE}. Sentences rated exactly 0 (neutral) are dropped, as are sentences with no
 * token; {@link Result#dropped()} counts both.
 */
public final class VaderReader {

    public static final String NEGATIVE = "negative";
    public static final String POSITIVE = "positive";

    /** The data set and how many lines were dropped as neutral or empty. */
    public record Result(Dataset dataset, int droppedNeutral, int droppedEmpty) {
        public int dropped() {
            return droppedNeutral + droppedEmpty;
        }
    }

    private VaderReader() {}

    public static Dataset read(Path path) throws IOException {
        return readWithCounts(path).dataset();
    }

    public static Result readWithCounts(Path path) throws IOException {
        String file = path.toString();
        List<LabeledSequence> sequences = new ArrayList<>();
        int neutral = 0;
        int empty = 0;
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            long lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split("\t", 3);
                if (fields.length < 3) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "line",
                            "expected 3 tab-separated fields (id, rating, text), got "
                                    + fields.length);
                }
                String id = fields[0].strip();
                if (id.isEmpty()) {
                    throw new DataFormatException(file, lineNumber, "id", "is empty");
                }
                double rating;
                try {
                    rating = Double.parseDouble(fields[1].strip());
                } catch (NumberFormatException e) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "rating",
                            "expected a number, got '" + fields[1].strip() + "'");
                }
                if (!Double.isFinite(rating)) {
                    throw new DataFormatException(
                            file, lineNumber, "rating", "expected a finite number");
                }
                if (rating == 0.0) {
                    neutral++;
                    continue;
                }
                List<String> tokens = Tokenizer.tokenize(fields[2]);
                if (tokens.isEmpty()) {
                    empty++;
                    continue;
                }
                sequences.add(
                        LabeledSequence.ofTokens(id, tokens, rating > 0 ? POSITIVE : NEGATIVE));
            }
        }
        if (sequences.isEmpty()) {
            throw new DataFormatException(file, 0, "file", "no labelled sentences");
        }
        return new Result(
                new Dataset(file, sequences, List.of(NEGATIVE, POSITIVE), InputKind.TOKENS, 0),
                neutral,
                empty);
    }
}
