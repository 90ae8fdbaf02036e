package io.rnnstream.stream.predict;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a prediction as JSON, Kafka key = entity key:
 *
 * <pre>{@code
 * {"key":"chat-3","seq":"s1","model":"chat-lm","modelVersion":1,"ts":1732700000100,
 *  "position":42,"symbols":5,"surprise":7.91,
 *  "next":[{"symbol":" ","p":0.41},{"symbol":"e","p":0.12}],"continuation":"and then"}
 * }</pre>
 *
 * {@code continuation} is present only when the event asked for one.
 */
public final class PredictionSerializer implements KafkaRecordSerializationSchema<Prediction> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String topic;

    public PredictionSerializer(String topic) {
        this.topic = topic;
    }

    public static byte[] toJson(Prediction p) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("key", p.key());
        node.put("seq", p.sequenceId());
        node.put("model", p.model());
        node.put("modelVersion", p.modelVersion());
        node.put("ts", p.timestamp());
        node.put("position", p.position());
        node.put("symbols", p.symbols());
        node.put("surprise", p.surprise());
        ArrayNode next = node.putArray("next");
        for (int i = 0; i < p.next().length; i++) {
            next.addObject().put("symbol", p.next()[i]).put("p", p.nextProbabilities()[i]);
        }
        if (p.continuation() != null) {
            node.put("continuation", p.continuation());
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a prediction always serializes", e);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Prediction p, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, timestamp, p.key().getBytes(StandardCharsets.UTF_8), toJson(p));
    }
}
