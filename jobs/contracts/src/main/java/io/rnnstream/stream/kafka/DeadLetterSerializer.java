package io.rnnstream.stream.kafka;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.RawRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter with the original key and value bytes untouched, and headers {@code reason},
 * {@code message}, {@code source-topic}, {@code source-partition}, {@code source-offset}.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;
    public static final String REASON = "reason";
    public static final String MESSAGE = "message";
    public static final String SOURCE_TOPIC = "source-topic";
    public static final String SOURCE_PARTITION = "source-partition";
    public static final String SOURCE_OFFSET = "source-offset";
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RawRecord origin = letter.origin();
        String message =
                letter.message().length() > MAX_MESSAGE_CHARS
                        ? letter.message().substring(0, MAX_MESSAGE_CHARS)
                        : letter.message();
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, utf8(letter.reason().code()));
        headers.add(MESSAGE, utf8(message));
        headers.add(SOURCE_TOPIC, utf8(origin.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(origin.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(origin.offset())));
        return new ProducerRecord<>(topic, null, timestamp, origin.key(), origin.value(), headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
