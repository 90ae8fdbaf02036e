package io.rnnstream.stream;

import java.util.LinkedHashMap;
import java.util.Map;

/** Hostile and malformed event records, each with the dead-letter reason it must get. */
final class BadRecords {

    private BadRecords() {}

    static Map<String, String> corpus() {
        long ts = System.currentTimeMillis();
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("\u0000\u00ff garbage \u0001", "unparsable");
        corpus.put("{\"key\":\"bad-1\",\"ts\":" + ts + ",\"features\":[1,2", "unparsable");
        corpus.put("[1,2,3]", "unparsable");
        corpus.put("{\"ts\":" + ts + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12]}", "missing-key");
        corpus.put(
                "{\"key\":\"bad-2\",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
                "missing-timestamp");
        corpus.put(
                "{\"key\":\"bad-3\",\"ts\":\"yesterday\",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
                "missing-timestamp");
        corpus.put("{\"key\":\"bad-4\",\"ts\":" + ts + ",\"features\":[1,2,3]}", "wrong-dimension");
        corpus.put(
                "{\"key\":\"bad-5\",\"ts\":" + ts + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,NaN]}",
                "non-finite-value");
        corpus.put(
                "{\"key\":\"bad-6\",\"ts\":"
                        + ts
                        + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,1e400]}",
                "non-finite-value");
        corpus.put(
                "{\"key\":\"bad-7\",\"ts\":"
                        + ts
                        + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,\"x\"]}",
                "invalid-field");
        corpus.put(
                "{\"key\":\"bad-8\",\"ts\":" + ts + ",\"text\":\"words for a feature model\"}",
                "wrong-input-kind");
        corpus.put(
                "{\"key\":\"bad-9\",\"ts\":"
                        + ts
                        + ",\"model\":\"nobody\",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
                "unknown-model");
        corpus.put(
                "{\"key\":\"bad-10\",\"key\":\"twice\",\"ts\":"
                        + ts
                        + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12]}",
                "unparsable");
        corpus.put("{\"a\":".repeat(200) + "1" + "}".repeat(200), "unparsable");
        corpus.put(
                "{\"key\":\"bad-11\",\"ts\":" + ts + ",\"text\":\"" + "x".repeat(70_000) + "\"}",
                "oversized");
        corpus.put(
                "{\"key\":\"bad-12\",\"ts\":"
                        + ts
                        + ",\"features\":[1,2,3,4,5,6,7,8,9,10,11,12],\"end\":\"yes\"}",
                "invalid-field");
        corpus.put("{\"key\":\"bad-13\",\"ts\":" + ts + "}", "invalid-field");
        return corpus;
    }
}
