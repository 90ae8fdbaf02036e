package io.rnnstream.stream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the shadow tests send and read on one broker under one topic prefix: feature events of
 * labelled sequences (a label goes to the labelled topic on the sequence's last event), one-event
 * probe sequences, role announcements on the models topic, and the evaluation records.
 */
public final class ShadowTraffic {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaBroker kafka;
    private final String prefix;
    private final String labelledTopic;
    private final String evaluationsTopic;
    private long clock;

    public ShadowTraffic(
            KafkaBroker kafka, String prefix, String labelledTopic, String evaluationsTopic) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.labelledTopic = labelledTopic;
        this.evaluationsTopic = evaluationsTopic;
    }

    /** Event time follows the wall clock, as producers stamp events; strictly increasing. */
    public long nextTimestamp() {
        clock = Math.max(clock + 1, System.currentTimeMillis());
        return clock;
    }

    /**
     * Step {@code t} of {@code s} as an event of {@code key} for {@code model} (sequence id "s",
     * {@code end} on its last step); with a {@code label}, the labelled event on the labelled
     * topic.
     */
    public ProducerRecord<byte[], byte[]> event(
            String model, String key, LabeledSequence s, int t, long ts, String label) {
        String json =
                "{\"key\":\""
                        + key
                        + "\",\"model\":\""
                        + model
                        + "\",\"seq\":\"s\",\"ts\":"
                        + ts
                        + ",\"features\":"
                        + Arrays.toString(s.features()[t])
                        + (t == s.length() - 1 ? ",\"end\":true" : "")
                        + (label != null ? ",\"label\":\"" + label + "\"" : "")
                        + "}";
        String topic = label != null ? labelledTopic : prefix + "-events";
        return new ProducerRecord<>(topic, KafkaBroker.utf8(key), KafkaBroker.utf8(json));
    }

    /** A one-event sequence of {@code key} for {@code model}, stamped now. */
    public ProducerRecord<byte[], byte[]> probe(String model, String key) {
        float[] features = new float[12];
        Arrays.fill(features, 0.1f);
        LabeledSequence one = LabeledSequence.ofFeatures(key, new float[][] {features}, "1");
        return event(model, key, one, 0, nextTimestamp(), null);
    }

    /** Announces {@code announcement} in {@code role} on the models topic. */
    public void announce(ModelAnnouncement announcement, ModelRole role) {
        TestModels.announce(
                kafka, prefix + "-models", new RoleAnnouncement(announcement, role, false));
    }

    /**
     * The evaluation records, read with read_committed, once {@code versions} of them have every
     * one of {@code labelled} sequences (or after two minutes), then {@code more} time to catch any
     * that follow.
     */
    public List<JsonNode> evaluations(int versions, long labelled, Duration more) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<JsonNode> records = List.of();
        while (System.nanoTime() < deadline) {
            records = readEvaluations(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ZERO);
            if (records.stream()
                            .filter(e -> e.get("type").asText().equals("evaluation"))
                            .filter(e -> e.get("labelled").asLong() == labelled)
                            .count()
                    >= versions) {
                break;
            }
        }
        return readEvaluations(records.size(), Duration.ofSeconds(10), more);
    }

    private List<JsonNode> readEvaluations(int expected, Duration timeout, Duration more) {
        return kafka.read(evaluationsTopic, "read_committed", expected, timeout, more).stream()
                .map(r -> json(r.value()))
                .toList();
    }

    /** A record's JSON value. */
    public static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
