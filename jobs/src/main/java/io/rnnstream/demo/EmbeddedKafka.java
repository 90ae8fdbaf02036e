package io.rnnstream.demo;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker in this JVM, from Kafka's own test kit (no Docker, no
 * separate process), with the single-node settings that transactions need. Used by the demo and by
 * the tests; not part of the stream-job jar.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The broker's transaction.max.timeout.ms. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = 900_000;

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats the log directories in a temporary place, starts the broker and waits for it. */
    public static EmbeddedKafka start() throws Exception {
        KafkaClusterTestKit cluster =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        // One node: internal topics cannot have more than one replica.
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "1")
                        .setConfigProp(
                                "transaction.max.timeout.ms",
                                Long.toString(MAX_TRANSACTION_TIMEOUT_MS))
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
        java.io.PrintStream stdout = System.out;
        try {
            // Formatting prints its progress to System.out, which is the demo's output.
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs)
            throws Exception {
        createTopic(bootstrapServers(), name, partitions, configs);
    }

    /** Creates a topic with one replica, as a single broker allows, and waits for it. */
    public static void createTopic(
            String bootstrapServers, String name, int partitions, Map<String, String> configs)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** An idempotent producer of raw bytes; the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer() {
        return producer(bootstrapServers());
    }

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
        Properties p = new Properties();
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

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
