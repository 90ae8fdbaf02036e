package io.rnnstream.retrain;

import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Reads and writes announcements on the model topic the streaming job listens to. */
final class ModelTopic {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> kafkaProperties;

    ModelTopic(String bootstrapServers, String topic, Map<String, String> kafkaProperties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.kafkaProperties = kafkaProperties;
    }

    /**
     * Every announcement of {@code name}, highest version first. Announcements that do not parse
     * are skipped, as the stream skips them.
     */
    List<ModelAnnouncement> announcements(String name) {
        List<ModelAnnouncement> found = new java.util.ArrayList<>();
        for (RoleAnnouncement announced : read(name)) {
            found.add(announced.version());
        }
        found.sort(java.util.Comparator.comparingLong(ModelAnnouncement::version).reversed());
        return found;
    }

    /**
     * The serving announcements of {@code name}: the one the stream serves first (shadows are
     * candidates on trial, not the version in service), then the other serving ones, highest
     * version first, as fallbacks when it no longer loads.
     */
    List<ModelAnnouncement> serving(String name) {
        return servingFirst(read(name));
    }

    /** {@link #serving} of announcements in topic order, by the stream's rule. */
    static List<ModelAnnouncement> servingFirst(List<RoleAnnouncement> inTopicOrder) {
        ModelAnnouncement current = null;
        List<ModelAnnouncement> serving = new java.util.ArrayList<>();
        for (RoleAnnouncement announced : inTopicOrder) {
            if (announced.role() != ModelRole.SERVING) {
                continue;
            }
            ModelAnnouncement version = announced.version();
            serving.add(version);
            if (current == null || version.version() > current.version() || announced.rollback()) {
                current = version;
            }
        }
        ModelAnnouncement inService = current;
        serving.removeIf(a -> a.equals(inService));
        serving.sort(java.util.Comparator.comparingLong(ModelAnnouncement::version).reversed());
        if (inService != null) {
            serving.add(0, inService);
        }
        return serving.stream().distinct().toList();
    }

    /** Every parsable announcement of {@code name}, in topic order. */
    private List<RoleAnnouncement> read(String name) {
        Properties properties = properties();
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<RoleAnnouncement> found = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new RetrainException(
                        "topic.models: topic '" + topic + "' does not exist on the brokers");
            }
            List<TopicPartition> partitions =
                    infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new RetrainException(
                            "could not read the model topic '" + topic + "' to its end in time");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    RoleAnnouncement announced;
                    try {
                        announced = AnnouncementParser.parseRole(record.value());
                    } catch (IllegalArgumentException e) {
                        continue;
                    }
                    if (announced.version().name().equals(name)) {
                        found.add(announced);
                    }
                }
            }
        }
        return found;
    }

    /** The announcement of {@code name} with the highest version, or null. */
    ModelAnnouncement newest(String name) {
        List<ModelAnnouncement> all = announcements(name);
        return all.isEmpty() ? null : all.get(0);
    }

    /**
     * Announces a published version in its role (keyed as the stream's compacted topic expects) and
     * waits until the brokers have it.
     */
    void announce(RoleAnnouncement announced) throws InterruptedException {
        ModelAnnouncement announcement = announced.version();
        Properties properties = properties();
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    announced.kafkaKey(),
                                    AnnouncementParser.toJson(announced)))
                    .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new RetrainException(
                    "could not announce "
                            + announcement.id()
                            + " on topic '"
                            + topic
                            + "': "
                            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                            + "; the version is in the store but not in service, a rerun publishes"
                            + " a new version",
                    e);
        }
    }

    private Properties properties() {
        Properties properties = new Properties();
        properties.putAll(kafkaProperties);
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }
}
