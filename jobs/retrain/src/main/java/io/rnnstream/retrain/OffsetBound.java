package io.rnnstream.retrain;

import io.rnnstream.stream.config.ConfigException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Where reading the labelled topic starts or stops: the earliest record, the latest committed
 * record, the offsets where the version in service stopped reading, or a point in time.
 *
 * @param kind which bound
 * @param timestamp epoch milliseconds for {@link Kind#TIMESTAMP}, else 0
 */
public record OffsetBound(Kind kind, long timestamp) implements java.io.Serializable {

    /** The kinds of bound. */
    public enum Kind {
        EARLIEST,
        LATEST,
        REMEMBERED,
        TIMESTAMP
    }

    static OffsetBound parse(String key, String text) {
        switch (text) {
            case "earliest":
                return new OffsetBound(Kind.EARLIEST, 0);
            case "latest":
                return new OffsetBound(Kind.LATEST, 0);
            case "remembered":
                return new OffsetBound(Kind.REMEMBERED, 0);
            default:
                break;
        }
        try {
            long millis = Long.parseLong(text);
            if (millis >= 0) {
                return new OffsetBound(Kind.TIMESTAMP, millis);
            }
        } catch (NumberFormatException e) {
            // not epoch milliseconds; try an instant
        }
        try {
            return new OffsetBound(Kind.TIMESTAMP, Instant.parse(text).toEpochMilli());
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    key
                            + ": expected earliest, latest, remembered, an ISO-8601 instant such as"
                            + " 2026-11-27T10:00:00Z or epoch milliseconds, got '"
                            + text
                            + "'");
        }
    }
}
