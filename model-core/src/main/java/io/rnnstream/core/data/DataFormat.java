package io.rnnstream.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** The data file formats rnnstream reads. */
public enum DataFormat {
    /** sktime / UEA {@code .ts}: dense multivariate series. */
    TS,
    /** VADER ground-truth sentences: binary sentiment over tokens. */
    VADER,
    /** JSON Lines, one sequence per line; see {@link JsonlReader}. */
    JSONL;

    /** A VADER ground-truth line: {@code id<TAB>rating<TAB>text}. */
    private static final Pattern VADER_LINE = Pattern.compile("[^\\t]+\\t[-+]?[0-9.]+\\t.*");

    public Dataset read(Path path) throws IOException {
        return switch (this) {
            case TS -> TsReader.read(path);
            case VADER -> VaderReader.read(path);
            case JSONL -> JsonlReader.read(path);
        };
    }

    /**
     * The format of a file: {@code .ts} and {@code .jsonl}/{@code .json}/{@code .ndjson} by name,
     * any other name only when its first non-blank line is a VADER line ({@code
     * id<TAB>rating<TAB>text}). A file that is none of these is refused rather than guessed, since
     * reading, say, a README as VADER fails far from the cause or, worse, yields a few sequences.
     *
     * @throws IllegalArgumentException when the format cannot be told
     */
    public static DataFormat detect(Path path) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ts")) {
            return TS;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        String first = firstLine(path);
        if (first != null && VADER_LINE.matcher(first).matches()) {
            return VADER;
        }
        throw new IllegalArgumentException(
                "cannot tell the format of "
                        + path
                        + ": its name does not end in .ts or .jsonl and its first line is not a"
                        + " VADER line (id<TAB>rating<TAB>text)");
    }

    private static String firstLine(Path path) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
            return null;
        }
    }
}
