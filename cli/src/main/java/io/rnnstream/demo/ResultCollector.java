package io.rnnstream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.kafka.KafkaClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

/**
 * Follows the results and dead-letter topics as a {@code read_committed} consumer on a thread of
 * its own, keeping every record with the time it became visible, so the demo can wait for what it
 * sent and measure latency.
 */
final class ResultCollector implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A classification as read back; {@code appendedAt} is the broker's log-append time. */
    record Streamed(
            String key,
            String seq,
            String label,
            Map<String, Double> probabilities,
            String model,
            long modelVersion,
            int steps,
            long appendedAt,
            long visibleAt) {
        String id() {
            return key + "/" + seq;
        }
    }

    private final String resultsTopic;
    private final String deadLettersTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final List<Streamed> results = new ArrayList<>();
    private final List<DemoSummary.DeadLetter> deadLetters = new ArrayList<>();
    private final Consumer<Streamed> onResult;
    private volatile RuntimeException failure;

    ResultCollector(
            String bootstrapServers,
            String resultsTopic,
            String deadLettersTopic,
            Consumer<Streamed> onResult) {
        this.resultsTopic = resultsTopic;
        this.deadLettersTopic = deadLettersTopic;
        this.onResult = onResult;
        this.consumer = KafkaClients.committedReader(bootstrapServers);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(resultsTopic, deadLettersTopic)) {
            consumer.partitionsFor(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::poll, "demo-results");
        thread.setDaemon(true);
        thread.start();
    }

    private void poll() {
        try {
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (record.topic().equals(resultsTopic)) {
                        Streamed result = parse(record, now);
                        synchronized (this) {
                            results.add(result);
                            notifyAll();
                        }
                        onResult.accept(result);
                    } else if (record.topic().equals(deadLettersTopic)) {
                        DemoSummary.DeadLetter letter =
                                new DemoSummary.DeadLetter(
                                        header(record, DeadLetterSerializer.REASON),
                                        header(record, DeadLetterSerializer.MESSAGE),
                                        record.value() == null
                                                ? ""
                                                : new String(
                                                        record.value(), StandardCharsets.UTF_8));
                        synchronized (this) {
                            deadLetters.add(letter);
                            notifyAll();
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    private static Streamed parse(ConsumerRecord<byte[], byte[]> record, long visibleAt) {
        try {
            JsonNode node = MAPPER.readTree(record.value());
            Map<String, Double> probabilities = new LinkedHashMap<>();
            node.get("probabilities")
                    .fields()
                    .forEachRemaining(e -> probabilities.put(e.getKey(), e.getValue().asDouble()));
            return new Streamed(
                    node.get("key").asText(),
                    node.get("seq").asText(),
                    node.get("label").asText(),
                    probabilities,
                    node.get("model").asText(),
                    node.get("modelVersion").asLong(),
                    node.get("steps").asInt(),
                    record.timestamp(),
                    visibleAt);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "result at "
                            + record.topic()
                            + "-"
                            + record.partition()
                            + "@"
                            + record.offset()
                            + " is not a classification: "
                            + e.getMessage(),
                    e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Waits until {@code count} results match {@code wanted} and returns them. */
    synchronized List<Streamed> await(Predicate<Streamed> wanted, int count, Duration timeout)
            throws InterruptedException {
        awaitCount(
                () -> (int) results.stream().filter(wanted).count(),
                count,
                timeout,
                "classifications");
        return results.stream().filter(wanted).toList();
    }

    /** Waits until at least {@code count} dead letters were seen. */
    synchronized void awaitDeadLetters(int count, Duration timeout) throws InterruptedException {
        awaitCount(deadLetters::size, count, timeout, "dead letters");
    }

    private void awaitCount(IntSupplier seen, int count, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int now;
        while ((now = seen.getAsInt()) < count) {
            if (failure != null) {
                throw failure;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                String last =
                        deadLetters.isEmpty()
                                ? ""
                                : "; the last dead letter: "
                                        + deadLetters.get(deadLetters.size() - 1).reason()
                                        + ": "
                                        + deadLetters.get(deadLetters.size() - 1).message();
                throw new DemoException(
                        String.format(
                                "waited %d s for %d %s, got %d; %d dead letters so far%s",
                                timeout.toSeconds(), count, what, now, deadLetters.size(), last));
            }
            wait(Math.max(1, Math.min(200, left / 1_000_000)));
        }
    }

    synchronized List<Streamed> results() {
        return List.copyOf(results);
    }

    synchronized List<DemoSummary.DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(10_000);
    }
}
