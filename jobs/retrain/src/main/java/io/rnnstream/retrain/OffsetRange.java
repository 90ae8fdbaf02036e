package io.rnnstream.retrain;

import java.util.Map;
import java.util.TreeMap;

/**
 * The offsets {@code [start, end)} of every partition of the labelled topic that one retraining run
 * reads. Recorded in the new artifact's provenance, so the next run can start where this one
 * stopped ({@code labelled.from=remembered}).
 *
 * @param topic the labelled topic
 * @param start first offset to read, by partition
 * @param end offset after the last one to read, by partition
 */
public record OffsetRange(String topic, Map<Integer, Long> start, Map<Integer, Long> end) {

    /** Key of the encoded range in a manifest's provenance. */
    public static final String PROVENANCE_KEY = "labelledOffsets";

    public OffsetRange {
        start = Map.copyOf(new TreeMap<>(start));
        end = Map.copyOf(new TreeMap<>(end));
        if (!start.keySet().equals(end.keySet())) {
            throw new IllegalArgumentException("start and end name different partitions");
        }
    }

    /** Offsets in the range, an upper bound on records (transaction markers take offsets too). */
    public long offsets() {
        long total = 0;
        for (Map.Entry<Integer, Long> entry : start.entrySet()) {
            total += end.get(entry.getKey()) - entry.getValue();
        }
        return total;
    }

    /** E.g. {@code labelled:0=12-340,1=0-98}. */
    public String encode() {
        StringBuilder text = new StringBuilder(topic).append(':');
        new TreeMap<>(start)
                .forEach(
                        (partition, first) -> {
                            if (text.charAt(text.length() - 1) != ':') {
                                text.append(',');
                            }
                            text.append(partition)
                                    .append('=')
                                    .append(first)
                                    .append('-')
                                    .append(end.get(partition));
                        });
        return text.toString();
    }

    /**
     * The end offsets of an encoded range of {@code topic}; empty when the text is absent, of
     * another topic, or not in the encoded form (provenance is free-form, so it is not trusted to
     * be well formed).
     */
    public static Map<Integer, Long> decodeEnds(String text, String topic) {
        Map<Integer, Long> ends = new TreeMap<>();
        if (text == null || !text.startsWith(topic + ":")) {
            return ends;
        }
        String body = text.substring(topic.length() + 1);
        if (body.isEmpty()) {
            return ends;
        }
        try {
            for (String part : body.split(",")) {
                int eq = part.indexOf('=');
                int dash = part.indexOf('-', eq);
                ends.put(
                        Integer.parseInt(part.substring(0, eq)),
                        Long.parseLong(part.substring(dash + 1)));
            }
        } catch (RuntimeException e) {
            return new TreeMap<>();
        }
        return ends;
    }
}
