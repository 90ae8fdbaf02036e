package io.rnnstream.bench;

import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.stream.kafka.KafkaClients;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The soak's steady load: one producer thread sends events at a fixed rate, each for a key drawn at
 * random (seeded) from many keys, so every key has one sequence in progress at a time and sequences
 * of different lengths interleave and straddle whatever happens meanwhile. Each key's sequences are
 * drawn from a pool of recorded sequences, so the offline replay needs only the pool index of each
 * one. Event times are the wall clock, strictly increasing.
 */
final class SoakLoad implements AutoCloseable {

    /** A sequence whose every event the broker acknowledged (once: the producer is idempotent). */
    record Sent(String key, String id, int pattern, long firstSentMillis, long lastSentMillis) {
        String resultId() {
            return key + "/" + id;
        }
    }

    private final String topic;
    private final List<LabeledSequence> patterns;
    private final int eventsPerSecond;
    private final Random random;
    private final KafkaProducer<byte[], byte[]> producer;
    private final LongSupplier clock = EventScript.wallClock();
    private final KeyState[] keys;
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final AtomicLong events = new AtomicLong();
    private long steadyEvents;
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile boolean stopping;
    private Thread thread;

    /** One key's sequence in progress. */
    private static final class KeyState {
        final String key;
        int sequences;
        int pattern = -1;
        int position;
        long firstSentMillis;

        KeyState(String key) {
            this.key = key;
        }
    }

    SoakLoad(
            KafkaBroker kafka,
            String topic,
            List<LabeledSequence> patterns,
            int keyCount,
            int eventsPerSecond,
            long seed) {
        this.topic = topic;
        this.patterns = patterns;
        this.eventsPerSecond = eventsPerSecond;
        this.random = new Random(seed);
        this.producer = KafkaClients.producer(kafka.bootstrapServers());
        this.keys = new KeyState[keyCount];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = new KeyState(String.format("soak-key-%05d", i));
        }
    }

    /** Starts sending at the fixed rate until {@link #stop()}. */
    void start() {
        thread = new Thread(this::run, "soak-load");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops the steady load, then sends the rest of every sequence in progress and waits for every
     * acknowledgement, so that every sequence begun is complete on the topic.
     */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join();
        steadyEvents = events.get();
        for (KeyState key : keys) {
            while (key.position > 0) {
                sendNext(key);
            }
        }
        producer.flush();
    }

    /**
     * One event per partition, each for a key of its own stamped {@code ahead} past now, read after
     * everything sent before it: event time passes the last sequences, which then end.
     */
    void releaseEventTime(int partitions, Duration ahead) {
        long later = System.currentTimeMillis() + ahead.toMillis();
        float[] frame = patterns.get(0).features()[0];
        for (int partition = 0; partition < partitions; partition++) {
            String key = "release-" + partition;
            StringBuilder json = new StringBuilder("{\"key\":\"").append(key).append("\",\"ts\":");
            json.append(later).append(",\"features\":");
            appendFeatures(json, frame).append('}');
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            partition,
                            KafkaBroker.utf8(key),
                            KafkaBroker.utf8(json.toString())),
                    this::acknowledged);
        }
        producer.flush();
    }

    /** The sequences sent completely so far. */
    List<Sent> sent() {
        return new ArrayList<>(sent);
    }

    /** Every event sent, the steady load's and those that finished the sequences in progress. */
    long events() {
        return events.get();
    }

    /** The events the steady load sent before {@link #stop()}. */
    long steadyEvents() {
        return steadyEvents;
    }

    long sendFailures() {
        return sendFailures.get();
    }

    /** The first send that failed, or null. */
    Exception firstFailure() {
        return firstFailure.get();
    }

    int eventsPerSecond() {
        return eventsPerSecond;
    }

    @Override
    public void close() {
        stopping = true;
        producer.close(Duration.ofSeconds(30));
    }

    private void run() {
        long start = System.nanoTime();
        long count = 0;
        while (!stopping) {
            long wait = start + count * 1_000_000_000L / eventsPerSecond - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            sendNext(keys[random.nextInt(keys.length)]);
            count++;
        }
    }

    /** Sends the key's next event, beginning a new sequence (pattern drawn at random) if needed. */
    private void sendNext(KeyState key) {
        if (key.position == 0) {
            key.pattern = random.nextInt(patterns.size());
            key.sequences++;
        }
        float[][] steps = patterns.get(key.pattern).features();
        boolean last = key.position == steps.length - 1;
        long ts = clock.getAsLong();
        String id = "s" + key.sequences;
        StringBuilder json = new StringBuilder(64 + 12 * steps[0].length);
        json.append("{\"key\":\"").append(key.key).append("\",\"seq\":\"").append(id);
        json.append("\",\"ts\":").append(ts).append(",\"features\":");
        appendFeatures(json, steps[key.position]);
        if (last) {
            json.append(",\"end\":true");
        }
        json.append('}');
        if (key.position == 0) {
            key.firstSentMillis = System.currentTimeMillis();
        }
        Sent complete =
                last
                        ? new Sent(
                                key.key,
                                id,
                                key.pattern,
                                key.firstSentMillis,
                                System.currentTimeMillis())
                        : null;
        producer.send(
                new ProducerRecord<>(
                        topic, KafkaBroker.utf8(key.key), KafkaBroker.utf8(json.toString())),
                (metadata, failure) -> {
                    acknowledged(metadata, failure);
                    if (failure == null && complete != null) {
                        sent.add(complete);
                    }
                });
        events.incrementAndGet();
        key.position = last ? 0 : key.position + 1;
    }

    private void acknowledged(Object metadata, Exception failure) {
        if (failure != null) {
            sendFailures.incrementAndGet();
            firstFailure.compareAndSet(null, failure);
        }
    }

    private static StringBuilder appendFeatures(StringBuilder json, float[] values) {
        json.append('[');
        for (int i = 0; i < values.length; i++) {
            json.append(i == 0 ? "" : ",").append(values[i]);
        }
        return json.append(']');
    }
}
