package io.rnnstream.stream.classify;

import java.util.Locale;

/** What made the job emit a classification. */
public enum Trigger {
    /** The event carried {@code end: true}. */
    END,
    /** No event for the key within the inactivity gap (event time). */
    GAP,
    /** The sequence reached the maximum length. */
    MAX_LENGTH,
    /** An event with a different sequence id arrived for the key. */
    NEW_SEQ,
    /** A running classification every N steps; the sequence goes on. */
    EVERY_N;

    /** The JSON form, e.g. {@code max-length}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
