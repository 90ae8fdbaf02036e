package io.rnnstream.stream.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.stream.evaluate.EvaluationRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an evaluation or decision record as JSON, Kafka key = model name:
 *
 * <pre>{@code
 * {"type":"evaluation","trigger":"every","model":"motion","version":3,"role":"shadow","servingVersion":2,
 *  "labelled":200,"correct":180,"accuracy":0.9,"macroF1":0.88,"agreement":0.8,
 *  "servingAccuracy":0.85,"shadowOnlyRight":20,"servingOnlyRight":10,"pValue":0.049}
 * {"type":"decision","decision":"promote","by":"policy", ...the same figures...,
 *  "policy":{"minLabelled":200,"margin":0.01,"confidence":0.95}}
 * }</pre>
 */
public final class EvaluationSerializer
        implements KafkaRecordSerializationSchema<EvaluationRecord> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String topic;

    public EvaluationSerializer(String topic) {
        this.topic = topic;
    }

    public static byte[] toJson(EvaluationRecord r) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", r.type());
        if (r.decision() != null) {
            node.put("decision", r.decision());
            node.put("by", "policy");
        }
        if (r.trigger() != null) {
            node.put("trigger", r.trigger());
        }
        node.put("model", r.model());
        node.put("version", r.version());
        node.put("role", r.role());
        node.put("servingVersion", r.servingVersion());
        node.put("labelled", r.labelled());
        node.put("correct", r.correct());
        node.put("accuracy", r.accuracy());
        node.put("macroF1", r.macroF1());
        node.put("agreement", r.agreement());
        node.put("servingAccuracy", r.servingAccuracy());
        node.put("shadowOnlyRight", r.shadowOnlyRight());
        node.put("servingOnlyRight", r.servingOnlyRight());
        node.put("pValue", r.pValue());
        if (r.policy() != null) {
            ObjectNode policy = node.putObject("policy");
            policy.put("minLabelled", r.policy().minLabelled());
            policy.put("margin", r.policy().margin());
            policy.put("confidence", r.policy().confidence());
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an evaluation record always serializes", e);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            EvaluationRecord r, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, timestamp, r.model().getBytes(StandardCharsets.UTF_8), toJson(r));
    }
}
