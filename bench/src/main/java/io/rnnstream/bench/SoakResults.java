package io.rnnstream.bench;

import io.rnnstream.stream.kafka.KafkaClients;
import io.rnnstream.testkit.Results;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the results topic with read_committed from the beginning for the whole soak, on a thread of
 * its own: every committed result, and when each model version's first result was seen (the model
 * swaps' recovery).
 */
final class SoakResults implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> labels;
    private final List<Results.Result> results = new ArrayList<>();
    private final Map<Long, Long> firstSeenNanos = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile RuntimeException failure;

    SoakResults(String bootstrapServers, String topic, List<String> labels) {
        this.labels = labels;
        this.consumer = KafkaClients.committedReader(bootstrapServers);
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic).stream()
                        .map(info -> new TopicPartition(topic, info.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "soak-results");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many results were read so far. */
    synchronized int count() {
        return results.size();
    }

    /** Every result read so far. */
    synchronized List<Results.Result> all() {
        return new ArrayList<>(results);
    }

    /** When the first result of {@code version} was read ({@link System#nanoTime}), or null. */
    Long firstSeen(long version) {
        return firstSeenNanos.get(version);
    }

    /**
     * Waits until at least {@code expected} results were read, giving up when none arrived for
     * {@code stall}, then reads for {@code settle} more so that duplicates would be seen; returns
     * how long the wait took.
     */
    Duration awaitAtLeast(int expected, Duration stall, Duration settle)
            throws InterruptedException {
        long start = System.nanoTime();
        int last = count();
        long lastProgress = System.nanoTime();
        while (count() < expected && System.nanoTime() - lastProgress < stall.toNanos()) {
            checkReading();
            Thread.sleep(500);
            if (count() > last) {
                last = count();
                lastProgress = System.nanoTime();
            }
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        Thread.sleep(settle.toMillis());
        checkReading();
        return waited;
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        consumer.wakeup();
        thread.join(30_000);
    }

    private void checkReading() {
        if (failure != null) {
            throw failure;
        }
    }

    private void run() {
        try {
            while (!closing) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                List<Results.Result> parsed = Results.parse(batch, labels);
                long now = System.nanoTime();
                for (Results.Result result : parsed) {
                    firstSeenNanos.putIfAbsent(result.modelVersion(), now);
                }
                synchronized (this) {
                    results.addAll(parsed);
                }
            }
        } catch (WakeupException e) {
            // close() ends the loop.
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }
}
