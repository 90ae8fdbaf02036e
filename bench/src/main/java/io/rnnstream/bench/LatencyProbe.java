package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.stream.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * Latency at a steady rate while a job runs: events go out at {@code eventsPerSecond} with event
 * time = the wall clock at send; for every sequence whose last event was sent inside the measured
 * window, latency = the result's broker append time ({@code LogAppendTime} topic) minus that send
 * time, and the time a read_committed reader received it minus that send time. Results of the
 * warm-up before the window are not counted. The broker runs in this JVM, so both ends read the
 * same clock.
 */
final class LatencyProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final Map<String, Object> producerSettings;

    /** {@code producerSettings} go to the event producer, e.g. its linger. */
    LatencyProbe(String bootstrapServers, Map<String, Object> producerSettings) {
        this.bootstrapServers = bootstrapServers;
        this.producerSettings = producerSettings;
    }

    /**
     * Sends for {@code warmUp + measured + tail} at the given rate (the tail moves the watermark
     * past the window's last events as during the window), then reads results until every sequence
     * ended in the measured window has one or {@code drain} has passed after the window; returns
     * the percentiles and counts.
     */
    Map<String, Object> measure(
            EventFeed feed,
            String eventsTopic,
            String resultsTopic,
            double eventsPerSecond,
            Duration warmUp,
            Duration measured,
            Duration tail,
            Duration drain)
            throws Exception {
        long from = System.currentTimeMillis() + warmUp.toMillis();
        long to = from + measured.toMillis();
        long stop = to + tail.toMillis();
        AtomicLong endsInWindow = new AtomicLong();
        CompletableFuture<Long> sent =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (KafkaProducer<byte[], byte[]> producer =
                                    EventFeed.producer(bootstrapServers, producerSettings)) {
                                return feed.paced(
                                        producer,
                                        eventsTopic,
                                        eventsPerSecond,
                                        () -> System.currentTimeMillis() >= stop,
                                        ts -> {
                                            if (ts >= from && ts < to) {
                                                endsInWindow.incrementAndGet();
                                            }
                                        });
                            }
                        });
        List<Long> appended = new ArrayList<>();
        List<Long> visible = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.committedReader(bootstrapServers)) {
            List<TopicPartition> partitions =
                    List.of(
                            new TopicPartition(resultsTopic, 0),
                            new TopicPartition(resultsTopic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = to + drain.toMillis();
            while (System.currentTimeMillis() < deadline
                    && !(sent.isDone() && appended.size() >= endsInWindow.get())) {
                var records = consumer.poll(Duration.ofMillis(20));
                long received = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    long lastTs = JSON.readTree(record.value()).get("lastTs").asLong();
                    if (lastTs >= from && lastTs < to) {
                        appended.add(record.timestamp() - lastTs);
                        visible.add(received - lastTs);
                    }
                }
            }
        }
        long events = sent.get();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("targetEventsPerSecond", eventsPerSecond);
        row.put("sentEventsPerSecond", events / ((stop - from + warmUp.toMillis()) / 1000.0));
        row.put("sequencesInWindow", endsInWindow.get());
        row.put("resultsInWindow", appended.size());
        row.put("appendMs", percentiles(appended));
        row.put("visibleMs", percentiles(visible));
        return row;
    }

    /** p50, p99 and max (nearest rank), in milliseconds. */
    static Map<String, Object> percentiles(List<Long> values) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (values.isEmpty()) {
            return p;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(Long::compare);
        p.put("p50", rank(sorted, 0.50));
        p.put("p99", rank(sorted, 0.99));
        p.put("max", sorted.get(sorted.size() - 1));
        return p;
    }

    private static long rank(List<Long> sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
