package io.rnnstream.stream.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients of raw bytes, as the command line, the demo and the tests talk to a broker.
 */
public final class KafkaClients {

    private KafkaClients() {}

    /** An idempotent producer of raw bytes to {@code bootstrapServers}; the caller closes it. */
    public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return producer(bootstrapServers, Map.of());
    }

    /** As {@link #producer(String)} with further producer settings. */
    public static KafkaProducer<byte[], byte[]> producer(
            String bootstrapServers, Map<String, Object> settings) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putAll(settings);
        return new KafkaProducer<>(p);
    }

    /**
     * A read_committed consumer of raw bytes to {@code bootstrapServers} that commits nothing and
     * never creates topics; the caller assigns partitions and closes it.
     */
    public static KafkaConsumer<byte[], byte[]> committedReader(String bootstrapServers) {
        return committedReader(bootstrapServers, Map.of());
    }

    /** As {@link #committedReader(String)} with further consumer settings (security, ...). */
    public static KafkaConsumer<byte[], byte[]> committedReader(
            String bootstrapServers, Map<String, Object> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        // The job writes in transactions: aborted attempts must not show up.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Following a misspelt topic must not create it.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(p);
    }
}
