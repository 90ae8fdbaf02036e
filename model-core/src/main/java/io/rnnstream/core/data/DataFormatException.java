package io.rnnstream.core.data;

import java.io.IOException;

/**
 * A data file that does not follow its format. The message names the file, the 1-based line, the
 * field and what was expected, e.g. {@code train.ts:17: dimension 3: expected 100 values, got 99}.
 */
public final class DataFormatException extends IOException {

    private final String file;
    private final long line;

    public DataFormatException(String file, long line, String field, String problem) {
        super(file + ":" + line + ": " + field + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public long line() {
        return line;
    }
}
