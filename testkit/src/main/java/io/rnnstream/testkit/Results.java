package io.rnnstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Classifications read back from the results topic. */
public final class Results {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One parsed result; probabilities in the model's label order. */
    public record Result(
            String key,
            String seq,
            String label,
            float[] probabilities,
            String trigger,
            long modelVersion,
            int steps) {
        public String id() {
            return key + "/" + seq;
        }
    }

    private Results() {}

    /**
     * Reads {@code prefix}-results with read_committed until {@code expected} results arrived, then
     * a few seconds more to catch duplicates; fails with the dead letters by reason if too few
     * came.
     */
    public static List<Result> readCommitted(
            KafkaBroker kafka, String prefix, List<String> labels, int expected) {
        List<Result> results =
                parse(
                        kafka.read(
                                prefix + "-results",
                                "read_committed",
                                expected,
                                Duration.ofSeconds(120),
                                Duration.ofSeconds(3)),
                        labels);
        if (results.size() < expected) {
            Map<String, Long> reasons =
                    kafka
                            .read(
                                    prefix + "-dead-letters",
                                    "read_uncommitted",
                                    Integer.MAX_VALUE,
                                    Duration.ofSeconds(2),
                                    Duration.ZERO)
                            .stream()
                            .collect(
                                    Collectors.groupingBy(
                                            r -> KafkaBroker.header(r, DeadLetterSerializer.REASON),
                                            Collectors.counting()));
            throw new AssertionError(
                    "expected "
                            + expected
                            + " results, got "
                            + results.size()
                            + "; dead letters by reason: "
                            + reasons);
        }
        return results;
    }

    public static List<Result> parse(
            List<ConsumerRecord<byte[], byte[]>> records, List<String> labels) {
        List<Result> results = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                JsonNode node = MAPPER.readTree(record.value());
                float[] probabilities = new float[labels.size()];
                for (int i = 0; i < labels.size(); i++) {
                    probabilities[i] =
                            (float) node.get("probabilities").get(labels.get(i)).asDouble();
                }
                results.add(
                        new Result(
                                node.get("key").asText(),
                                node.get("seq").asText(),
                                node.get("label").asText(),
                                probabilities,
                                node.get("trigger").asText(),
                                node.get("modelVersion").asLong(),
                                node.get("steps").asInt()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return results;
    }

    /**
     * Waits up to 60 s until exactly {@code count} committed results on {@code topic} match {@code
     * wanted}, and returns them.
     */
    public static List<Result> await(
            KafkaBroker kafka,
            String topic,
            List<String> labels,
            Predicate<Result> wanted,
            int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Result> matching = List.of();
        while (System.nanoTime() < deadline) {
            matching =
                    parse(
                                    kafka.read(
                                            topic,
                                            "read_committed",
                                            Integer.MAX_VALUE,
                                            Duration.ofMillis(500),
                                            Duration.ZERO),
                                    labels)
                            .stream()
                            .filter(wanted)
                            .toList();
            if (matching.size() >= count) {
                if (matching.size() > count) {
                    throw new AssertionError(
                            "expected " + count + " results, found " + matching.size());
                }
                return matching;
            }
        }
        throw new AssertionError(
                "expected " + count + " results within 60 s, found " + matching.size());
    }
}
