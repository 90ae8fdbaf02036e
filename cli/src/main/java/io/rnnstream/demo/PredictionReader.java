package io.rnnstream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.stream.kafka.KafkaClients;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the predictions topic from the start as a {@code read_committed} consumer: every committed
 * prediction up to the topic's end, once at least the expected number are there.
 */
final class PredictionReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PredictionReader() {}

    /**
     * Waits until {@code expected} predictions are committed, then returns all committed ones (so
     * that a duplicate would show), each as its JSON.
     */
    static List<JsonNode> readAll(
            String bootstrapServers, String topic, int expected, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.committedReader(bootstrapServers)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<JsonNode> predictions = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    predictions.add(parse(record));
                }
                if (predictions.size() >= expected && atEnd(consumer, partitions)) {
                    return predictions;
                }
                if (System.nanoTime() > deadline) {
                    throw new DemoException(
                            String.format(
                                    "waited %d s for %d predictions on %s, got %d",
                                    timeout.toSeconds(), expected, topic, predictions.size()));
                }
            }
        }
    }

    /** Whether every partition has been read up to its last committed record. */
    private static boolean atEnd(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
    }

    private static JsonNode parse(ConsumerRecord<byte[], byte[]> record) {
        try {
            return MAPPER.readTree(record.value());
        } catch (IOException e) {
            throw new DemoException(
                    "prediction at "
                            + record.topic()
                            + "-"
                            + record.partition()
                            + "@"
                            + record.offset()
                            + " is not JSON: "
                            + e.getMessage(),
                    e);
        }
    }
}
