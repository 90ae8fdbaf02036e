package io.rnnstream.bench;

import io.rnnstream.stream.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The end-to-end suite's events: {@code keys} entities, each sending sequences of {@code length}
 * events of 16 features, interleaved across keys (event {@code i} belongs to key {@code i % keys}),
 * the last event of a sequence with {@code end: true} when sequences end.
 */
final class EventFeed {

    static final int FEATURES = 16;

    private final int keys;
    private final int length;
    private final boolean end;
    private final String[] vectors = new String[64];

    EventFeed(int keys, int length, boolean end) {
        this.keys = keys;
        this.length = length;
        this.end = end;
        Random random = new Random(11);
        for (int v = 0; v < vectors.length; v++) {
            StringBuilder vector = new StringBuilder("[");
            for (int d = 0; d < FEATURES; d++) {
                vector.append(d == 0 ? "" : ",")
                        .append(String.format(Locale.ROOT, "%.3f", random.nextGaussian()));
            }
            vectors[v] = vector.append(']').toString();
        }
    }

    /** The {@code index}-th event, with event time {@code ts}. */
    ProducerRecord<byte[], byte[]> event(String topic, long index, long ts) {
        int k = (int) (index % keys);
        long round = index / keys;
        long t = round % length;
        String key = "k" + k;
        String value =
                "{\"key\":\""
                        + key
                        + "\",\"ts\":"
                        + ts
                        + ",\"seq\":\"w"
                        + (round / length)
                        + "\",\"features\":"
                        + vectors[(int) ((k + t) % vectors.length)]
                        + (end && t == length - 1 ? ",\"end\":true}" : "}");
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code waves} sequences per key at full speed, with event times one millisecond apart
     * from a fixed origin, and waits for every acknowledgement.
     */
    void produce(KafkaProducer<byte[], byte[]> producer, String topic, int waves) {
        awaitLeaders(producer, topic);
        long count = (long) keys * waves * length;
        long origin = 1_700_000_000_000L;
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (long i = 0; i < count; i++) {
            producer.send(
                    event(topic, i, origin + i),
                    (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "sending events to " + topic + " failed", failure.get());
        }
    }

    /**
     * A producer for the feed: acks from the broker, one request in flight so that retries keep the
     * order, and not idempotent. Here the in-process broker answered an idempotent producer's first
     * batch to a new topic with out-of-order-sequence errors until the batch expired (events
     * missing, two minutes lost); {@link #produce} fails on any send error instead of missing
     * events silently.
     */
    static KafkaProducer<byte[], byte[]> producer(
            String bootstrapServers, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("enable.idempotence", "false");
        all.put("max.in.flight.requests.per.connection", "1");
        return KafkaClients.producer(bootstrapServers, all);
    }

    /**
     * Waits until every partition of a just-created topic has a leader: sending earlier made the
     * idempotent producer retry its first batch into an out-of-order-sequence loop here.
     */
    static void awaitLeaders(KafkaProducer<byte[], byte[]> producer, String topic) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (producer.partitionsFor(topic).stream()
                .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + ": partitions without a leader after 30 s");
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }

    /**
     * Sends at a steady {@code eventsPerSecond} until {@code stop} says so, each event stamped with
     * the wall clock at the moment it is handed to the producer (so a result's {@code lastTs} is
     * the send time of the event that completed it). {@code endSent} gets the event time of each
     * sequence end sent. Returns the number of events sent.
     */
    long paced(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            double eventsPerSecond,
            BooleanSupplier stop,
            LongConsumer endSent) {
        awaitLeaders(producer, topic);
        long start = System.nanoTime();
        long sent = 0;
        while (!stop.getAsBoolean()) {
            long due = start + (long) (sent * 1e9 / eventsPerSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            long ts = System.currentTimeMillis();
            producer.send(event(topic, sent, ts));
            if (end && (sent / keys) % length == length - 1) {
                endSent.accept(ts);
            }
            sent++;
        }
        producer.flush();
        return sent;
    }
}
