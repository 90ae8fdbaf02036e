package io.rnnstream.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.data.LabeledSequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds the event records of whole sequences for many keys, interleaved round-robin across keys
 * with strictly increasing event times, so that the expected answer of every sequence is known.
 */
public final class EventScript {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A sequence assigned to a key, with its sequence id. */
    public record Planned(String key, String sequenceId, LabeledSequence sequence) {}

    private final String topic;
    private final Map<String, List<Planned>> byKey = new LinkedHashMap<>();

    private boolean labelled;

    public EventScript(String topic) {
        this.topic = topic;
    }

    /** Puts each sequence's label on its last event, as the retraining job's input has it. */
    public EventScript labelled() {
        this.labelled = true;
        return this;
    }

    public EventScript add(String key, String sequenceId, LabeledSequence sequence) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new Planned(key, sequenceId, sequence));
        return this;
    }

    public List<Planned> planned() {
        List<Planned> all = new ArrayList<>();
        byKey.values().forEach(all::addAll);
        return all;
    }

    /** Every event, round-robin across keys, event time {@code startTs + position}. */
    public List<ProducerRecord<byte[], byte[]>> records(long startTs) {
        long[] next = {startTs};
        return records(0, 1, () -> next[0]++);
    }

    /**
     * Part {@code part} of {@code parts} of every key's events (the key's events in order, cut into
     * equal slices), round-robin across keys, event times from {@code timestamps}. Sequences
     * straddle the cuts, so a test that stops, fails or rescales the job between parts only gets
     * the offline answer if every key's hidden state survived.
     */
    public List<ProducerRecord<byte[], byte[]>> records(
            int part, int parts, LongSupplier timestamps) {
        List<List<ObjectNode>> perKey = new ArrayList<>();
        for (List<Planned> plans : byKey.values()) {
            List<ObjectNode> events = new ArrayList<>();
            for (Planned plan : plans) {
                float[][] steps = plan.sequence().features();
                for (int t = 0; t < steps.length; t++) {
                    ObjectNode event = MAPPER.createObjectNode();
                    event.put("key", plan.key());
                    event.put("seq", plan.sequenceId());
                    ArrayNode features = event.putArray("features");
                    for (float value : steps[t]) {
                        features.add(value);
                    }
                    if (t == steps.length - 1) {
                        event.put("end", true);
                        if (labelled) {
                            event.put("label", plan.sequence().label());
                        }
                    }
                    events.add(event);
                }
            }
            int from = part * events.size() / parts;
            int to = (part + 1) * events.size() / parts;
            perKey.add(events.subList(from, to));
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        boolean more = true;
        for (int position = 0; more; position++) {
            more = false;
            for (List<ObjectNode> events : perKey) {
                if (position < events.size()) {
                    ObjectNode event = events.get(position);
                    event.put("ts", timestamps.getAsLong());
                    records.add(
                            new ProducerRecord<>(
                                    topic,
                                    KafkaBroker.utf8(event.get("key").asText()),
                                    KafkaBroker.utf8(event.toString())));
                    more = true;
                }
            }
        }
        return records;
    }

    /**
     * Event times as producers stamp them: the wall clock, strictly increasing, so events produced
     * after a restart are never behind the ones before it.
     */
    public static LongSupplier wallClock() {
        AtomicLong last = new AtomicLong();
        return () ->
                last.updateAndGet(previous -> Math.max(previous + 1, System.currentTimeMillis()));
    }
}
