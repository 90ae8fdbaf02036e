package io.rnnstream.stream.reliability;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Generators of hostile event records, one per kind, each with the dead-letter reason the job must
 * give it. Seeded, so a failing record can be reproduced. Records are sized for a job with {@code
 * events.max-bytes} = {@link #MAX_BYTES} and a 12-feature model.
 */
enum HostileRecords {
    RANDOM_BYTES("unparsable", (r, ts) -> randomBytes(r)),
    TRUNCATED_JSON("unparsable", (r, ts) -> truncated(r, valid(r, ts))),
    DEEPLY_NESTED_OBJECTS("unparsable", (r, ts) -> nested(r, "{\"a\":", "}")),
    DEEPLY_NESTED_ARRAYS(
            "unparsable",
            (r, ts) ->
                    "{\"key\":\"h\",\"ts\":"
                            + ts
                            + ",\"features\":"
                            + nested(r, "[", "]").replace("1", "[1]")
                            + "}"),
    HUGE_ARRAY(
            "oversized",
            (r, ts) ->
                    event(
                            ts,
                            "\"features\":["
                                    + "1,".repeat(HostileRecords.MAX_BYTES / 2 + r.nextInt(1_000))
                                    + "1]")),
    LONG_ARRAY(
            "wrong-dimension",
            (r, ts) -> event(ts, "\"features\":" + numbers(r, 13 + r.nextInt(500)))),
    HUGE_STRING(
            "oversized",
            (r, ts) ->
                    event(
                            ts,
                            "\"text\":\""
                                    + "w ".repeat(HostileRecords.MAX_BYTES / 2 + r.nextInt(100))
                                    + "\"")),
    LONG_KEY(
            "missing-key",
            (r, ts) ->
                    "{\"key\":\""
                            + "k".repeat(1_025 + r.nextInt(5_000))
                            + "\",\"ts\":"
                            + ts
                            + ",\"features\":"
                            + numbers(r, 12)
                            + "}"),
    TIMESTAMP_AS_TEXT(
            "missing-timestamp",
            (r, ts) -> "{\"key\":\"h\",\"ts\":\"" + ts + "\",\"features\":" + numbers(r, 12) + "}"),
    FEATURES_AS_OBJECT("invalid-field", (r, ts) -> event(ts, "\"features\":{\"x\":1}")),
    FEATURE_AS_TEXT(
            "invalid-field", (r, ts) -> event(ts, "\"features\":[1,2,3,4,5,6,7,8,9,10,11,\"12\"]")),
    KEY_AS_OBJECT(
            "invalid-field",
            (r, ts) -> "{\"key\":{\"k\":1},\"ts\":" + ts + ",\"features\":" + numbers(r, 12) + "}"),
    END_AS_TEXT(
            "invalid-field",
            (r, ts) -> event(ts, "\"features\":" + numbers(r, 12) + ",\"end\":\"yes\"")),
    NAN("non-finite-value", (r, ts) -> event(ts, "\"features\":" + withValue(r, "NaN"))),
    INFINITY("non-finite-value", (r, ts) -> event(ts, "\"features\":" + withValue(r, "-Infinity"))),
    FLOAT_OVERFLOW(
            "non-finite-value", (r, ts) -> event(ts, "\"features\":" + withValue(r, "3.5e38"))),
    UNKNOWN_FIELDS_ONLY(
            "missing-timestamp",
            (r, ts) -> "{\"key\":\"h\",\"colour\":\"red\",\"size\":" + r.nextInt() + "}"),
    DUPLICATE_KEYS(
            "unparsable",
            (r, ts) ->
                    "{\"key\":\"h\",\"ts\":"
                            + ts
                            + ",\"ts\":"
                            + (ts + 1)
                            + ",\"features\":"
                            + numbers(r, 12)
                            + "}"),
    TWO_INPUTS(
            "invalid-field",
            (r, ts) -> event(ts, "\"features\":" + numbers(r, 12) + ",\"text\":\"hi\"")),
    TEXT_FOR_A_FEATURE_MODEL("wrong-input-kind", (r, ts) -> event(ts, "\"text\":\"hello there\"")),
    UNKNOWN_MODEL(
            "unknown-model",
            (r, ts) ->
                    event(
                            ts,
                            "\"model\":\"m"
                                    + r.nextInt(1000)
                                    + "\",\"features\":"
                                    + numbers(r, 12))),
    NO_VALUE("unparsable", (r, ts) -> null);

    /** The job's {@code events.max-bytes} in the fuzz run. */
    static final int MAX_BYTES = 65_536;

    private final String reason;
    private final BiFunction<Random, Long, String> generator;

    HostileRecords(String reason, BiFunction<Random, Long, String> generator) {
        this.reason = reason;
        this.generator = generator;
    }

    String reason() {
        return reason;
    }

    /**
     * A record of this kind as bytes, or null for a record without a value. Generators write ASCII
     * JSON, or raw bytes as ISO-8859-1 characters, so ISO-8859-1 gives back the intended bytes.
     */
    byte[] generate(Random random, long timestamp) {
        String text = generator.apply(random, timestamp);
        return text == null ? null : text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String event(long ts, String input) {
        return "{\"key\":\"hostile\",\"ts\":" + ts + "," + input + "}";
    }

    private static String valid(Random r, long ts) {
        return event(ts, "\"features\":" + numbers(r, 12) + ",\"end\":true");
    }

    private static String truncated(Random r, String json) {
        return json.substring(0, 1 + r.nextInt(json.length() - 1));
    }

    private static String nested(Random r, String open, String close) {
        int depth = 33 + r.nextInt(3_000);
        return open.repeat(depth) + "1" + close.repeat(depth);
    }

    private static String numbers(Random r, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(r.nextGaussian());
        }
        return b.append(']').toString();
    }

    private static String withValue(Random r, String value) {
        String[] values = new String[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.toString(r.nextGaussian());
        }
        values[r.nextInt(values.length)] = value;
        return "[" + String.join(",", values) + "]";
    }

    /** Random bytes that start with 0xFF, which no UTF-8 JSON text can. */
    private static String randomBytes(Random r) {
        byte[] bytes = new byte[1 + r.nextInt(300)];
        r.nextBytes(bytes);
        bytes[0] = (byte) 0xFF;
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
