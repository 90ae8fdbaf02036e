package io.rnnstream.stream.sink;

import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.RoleAnnouncement;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes the job's own announcements (promotions) to the model topic, keyed as any other. */
public final class AnnouncementSerializer
        implements KafkaRecordSerializationSchema<RoleAnnouncement> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public AnnouncementSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            RoleAnnouncement announced, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, timestamp, announced.kafkaKey(), AnnouncementParser.toJson(announced));
    }
}
