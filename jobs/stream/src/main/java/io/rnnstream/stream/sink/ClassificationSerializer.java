package io.rnnstream.stream.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.stream.classify.Classification;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a classification as JSON, Kafka key = entity key:
 *
 * <pre>{@code
 * {"key":"cam-7","seq":"run-12","label":"Walking","probabilities":{"Badminton":0.01,"Running":0.02,
 *  "Standing":0.03,"Walking":0.94},"steps":100,"firstTs":1732700000000,"lastTs":1732700009900,
 *  "trigger":"end","model":"motion","modelVersion":2}
 * }</pre>
 */
public final class ClassificationSerializer
        implements KafkaRecordSerializationSchema<Classification> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String topic;

    public ClassificationSerializer(String topic) {
        this.topic = topic;
    }

    public static byte[] toJson(Classification c) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("key", c.key());
        node.put("seq", c.sequenceId());
        node.put("label", c.label());
        ObjectNode probabilities = node.putObject("probabilities");
        for (int i = 0; i < c.labels().length; i++) {
            probabilities.put(c.labels()[i], c.probabilities()[i]);
        }
        node.put("steps", c.steps());
        node.put("firstTs", c.firstTimestamp());
        node.put("lastTs", c.lastTimestamp());
        node.put("trigger", c.trigger().code());
        node.put("model", c.model());
        node.put("modelVersion", c.modelVersion());
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a classification always serializes", e);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Classification c, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, timestamp, c.key().getBytes(StandardCharsets.UTF_8), toJson(c));
    }
}
