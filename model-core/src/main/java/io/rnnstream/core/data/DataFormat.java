package io.rnnstream.core.data;

import java.io.IOException;
import java.nio.file.Path;

/** The data file formats rnnstream reads. */
public enum DataFormat {
    /** sktime / UEA {@code .ts}: dense multivariate series. */
    TS,
    /** VADER ground-truth sentences: binary sentiment over tokens. */
    VADER,
    /** JSON Lines, one sequence per line; see {@link JsonlReader}. */
    JSONL;

    public Dataset read(Path path) throws IOException {
        return switch (this) {
            case TS -> TsReader.read(path);
            case VADER -> VaderReader.read(path);
            case JSONL -> JsonlReader.read(path);
        };
    }

    /**
     * Guesses the format from a file name: {@code .ts}, {@code .jsonl}/{@code .json}, else VADER.
     */
    public static DataFormat fromFileName(Path path) {
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".ts")) {
            return TS;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        return VADER;
    }
}
