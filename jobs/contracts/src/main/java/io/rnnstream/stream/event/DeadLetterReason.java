package io.rnnstream.stream.event;

import java.util.Locale;

/**
 * Why a record went to the dead-letter topic; the header value is the lower-case hyphenated name.
 */
public enum DeadLetterReason {
    UNPARSABLE,
    OVERSIZED,
    MISSING_KEY,
    MISSING_TIMESTAMP,
    INVALID_FIELD,
    WRONG_DIMENSION,
    NON_FINITE_VALUE,
    WRONG_INPUT_KIND,
    UNKNOWN_MODEL,
    LATE,
    MODEL_REJECTED;

    /** The value written to the {@code reason} header, e.g. {@code wrong-dimension}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
