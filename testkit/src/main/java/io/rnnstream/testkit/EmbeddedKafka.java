package io.rnnstream.testkit;

import io.rnnstream.stream.kafka.KafkaClients;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
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
        return KafkaClients.producer(bootstrapServers());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
