package io.rnnstream.testkit;

import io.rnnstream.stream.kafka.KafkaClients;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node KRaft Kafka broker for a test class, started in-process ({@link
 * EmbeddedKafka}, Kafka's own test kit, no Docker needed) with the single-node settings
 * transactions require; or, from {@link #inItsOwnProcess()}, in a separate JVM that a test can kill
 * and restart.
 *
 * <p>A broker that checks passwords: {@link #withSaslPlainUser} starts one (in its own JVM) with a
 * second listener, SASL_PLAINTEXT with mechanism PLAIN, that lets only the given user in. The
 * plaintext {@link #bootstrapServers()} stays open for the test's own clients (topics, producing,
 * reading); the code under test gets {@link #saslBootstrapServers()} and the client settings of
 * {@link #saslPlainClient}, e.g. as a job's or the CLI's {@code kafka.*} settings:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBroker KAFKA = KafkaBroker.withSaslPlainUser("rnnstream", "s3cret");
 * ...
 * settings.put("bootstrap.servers", KAFKA.saslBootstrapServers());
 * KafkaBroker.saslPlainClient("rnnstream", "${file:/run/secrets/kafka:password}")
 *         .forEach((key, value) -> settings.put("kafka." + key, value));
 * }</pre>
 *
 * Outside JUnit, {@link #start()} and {@link #stop()} run it by hand.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    /** The broker's transaction.max.timeout.ms. */
    public static final long MAX_TRANSACTION_TIMEOUT_MS = EmbeddedKafka.MAX_TRANSACTION_TIMEOUT_MS;

    private final boolean ownProcess;
    private final BrokerProcess.SaslUser saslUser;
    private EmbeddedKafka cluster;
    private BrokerProcess process;
    private Path processDirectory;

    public KafkaBroker() {
        this(false, null);
    }

    private KafkaBroker(boolean ownProcess, BrokerProcess.SaslUser saslUser) {
        this.ownProcess = ownProcess;
        this.saslUser = saslUser;
    }

    /**
     * A broker in its own JVM, for tests that stop and restart it ({@link #kill}, {@link
     * #restart}).
     */
    public static KafkaBroker inItsOwnProcess() {
        return new KafkaBroker(true, null);
    }

    /**
     * A broker in its own JVM with a second listener, {@link #saslBootstrapServers()}, that takes
     * SASL/PLAIN and accepts only {@code user} with {@code password} (letters, digits, {@code _ .
     * -}). Every other broker of the tests is plaintext only.
     */
    public static KafkaBroker withSaslPlainUser(String user, String password) {
        return new KafkaBroker(true, new BrokerProcess.SaslUser(user, password));
    }

    /** The SASL/PLAIN listener; only for a broker from {@link #withSaslPlainUser}. */
    public String saslBootstrapServers() {
        if (process == null) {
            throw new IllegalStateException("the broker has not been started");
        }
        return process.saslBootstrapServers();
    }

    /**
     * Kafka client settings that log in to a SASL/PLAIN listener as {@code user}; {@code password}
     * may be the password or a config provider reference such as {@code ${file:PATH:KEY}}.
     */
    public static Map<String, String> saslPlainClient(String user, String password) {
        return Map.of(
                "security.protocol",
                "SASL_PLAINTEXT",
                "sasl.mechanism",
                "PLAIN",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user
                        + "\" password=\""
                        + password
                        + "\";");
    }

    /** Kills the broker process (SIGKILL); only for {@link #inItsOwnProcess()}. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** Starts the killed broker again on the same port and log directory. */
    public void restart() throws Exception {
        process.start();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    /** Starts the broker, for a test that needs a fresh one of its own; {@link #stop} ends it. */
    public void start() throws Exception {
        if (ownProcess) {
            processDirectory = Files.createTempDirectory("kafka-broker-");
            process = new BrokerProcess(processDirectory, saslUser);
            process.format(MAX_TRANSACTION_TIMEOUT_MS);
            process.start();
            return;
        }
        cluster = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    public void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (process != null) {
            process.close();
            try (Stream<Path> files = Files.walk(processDirectory)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    public String bootstrapServers() {
        return process != null ? process.bootstrapServers() : cluster.bootstrapServers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs)
            throws Exception {
        EmbeddedKafka.createTopic(bootstrapServers(), name, partitions, configs);
    }

    public KafkaProducer<byte[], byte[]> producer() {
        return KafkaClients.producer(bootstrapServers());
    }

    /** Sends every record and waits for all acknowledgements; returns where each was written. */
    public List<RecordMetadata> produce(List<ProducerRecord<byte[], byte[]>> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                sent.add(producer.send(record));
            }
            producer.flush();
            List<RecordMetadata> written = new ArrayList<>();
            for (Future<RecordMetadata> future : sent) {
                written.add(future.get());
            }
            return written;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing failed: " + e.getCause(), e);
        }
    }

    public void produce(String topic, String key, String value) {
        produce(List.of(new ProducerRecord<>(topic, key == null ? null : utf8(key), utf8(value))));
    }

    /**
     * Reads {@code topic} from the beginning until {@code expected} records arrived or the timeout
     * passed, then keeps reading for {@code settle} to catch any surplus (duplicates).
     */
    public List<ConsumerRecord<byte[], byte[]>> read(
            String topic, String isolation, int expected, Duration timeout, Duration settle) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    records.add(record);
                }
                if (records.size() >= expected && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + settle.toNanos();
                }
            }
        }
        return records;
    }

    /**
     * Waits until no open transaction holds back read_committed readers of {@code topic}; returns
     * how many offsets were still held back when {@code timeout} passed (0 when none).
     */
    public long awaitNoOpenTransactions(String topic, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long heldBack;
        while ((heldBack = offsetsHeldBack(topic)) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return heldBack;
    }

    /**
     * Offsets of {@code topic} that read_committed readers cannot pass yet: records in open
     * transactions, the distance from each partition's last stable offset to its end.
     */
    public long offsetsHeldBack(String topic) {
        try (KafkaConsumer<byte[], byte[]> committed = consumer("read_committed");
                KafkaConsumer<byte[], byte[]> uncommitted = consumer("read_uncommitted")) {
            List<TopicPartition> partitions =
                    committed.partitionsFor(topic).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            Map<TopicPartition, Long> stable = committed.endOffsets(partitions);
            Map<TopicPartition, Long> end = uncommitted.endOffsets(partitions);
            long heldBack = 0;
            for (TopicPartition partition : partitions) {
                heldBack += end.get(partition) - stable.get(partition);
            }
            return heldBack;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p);
    }

    /** The value of a record header as UTF-8 text. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
