package io.rnnstream.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends events to the events topic at most {@code rate} per second, stamping each with the wall
 * clock as its event time, and remembers when each sequence's last event left so that the latency
 * of its classification can be measured. Also counts events per second since the demo's start.
 */
public final class Replay {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int rate;
    private final long startMillis;
    private final Map<String, Long> lastEventSentAt = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> eventsPerSecond = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private long sent;
    private long sendingNanos;
    private long lastTs;

    public Replay(
            KafkaProducer<byte[], byte[]> producer, String topic, int rate, long startMillis) {
        this.producer = producer;
        this.topic = topic;
        this.rate = rate;
        this.startMillis = startMillis;
    }

    /** Sends {@code steps} in order, paced to the rate, and flushes. */
    public void send(List<DemoEvents.Step> steps) throws InterruptedException {
        send(steps, false);
    }

    /**
     * As {@link #send(List)}; with {@code labelled}, each sequence's last event carries its label,
     * the retraining job's input format.
     */
    public void send(List<DemoEvents.Step> steps, boolean labelled) throws InterruptedException {
        long begin = System.nanoTime();
        try {
            sendPaced(steps, labelled, begin);
        } finally {
            sendingNanos += System.nanoTime() - begin;
        }
    }

    private void sendPaced(List<DemoEvents.Step> steps, boolean labelled, long begin)
            throws InterruptedException {
        for (int i = 0; i < steps.size(); i++) {
            if (rate > 0 && i % 20 == 0) {
                long due = begin + TimeUnit.SECONDS.toNanos(i) / rate;
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    TimeUnit.NANOSECONDS.sleep(ahead);
                }
            }
            DemoEvents.Step step = steps.get(i);
            long now = eventTime();
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            step.plan().key().getBytes(StandardCharsets.UTF_8),
                            DemoEvents.json(
                                    step,
                                    now,
                                    labelled && step.last()
                                            ? step.plan().sequence().label()
                                            : null)),
                    failures);
            if (sendFailure.get() != null) {
                // Stop at the first failure instead of waiting out the same timeout per event.
                flush();
            }
            if (step.last()) {
                lastEventSentAt.put(step.plan().id(), System.currentTimeMillis());
            }
            eventsPerSecond.merge(second(System.currentTimeMillis()), 1, Integer::sum);
            sent++;
        }
        flush();
    }

    /** Remembers the first failed send: the producer reports them asynchronously. */
    private final Callback failures =
            (metadata, exception) -> {
                if (exception != null) {
                    sendFailure.compareAndSet(null, exception);
                }
            };

    private void flush() {
        producer.flush();
        Exception failure = sendFailure.get();
        if (failure != null) {
            throw new DemoException(
                    "sending to " + topic + " failed: " + failure.getMessage(), failure);
        }
    }

    /** Sends one hand-written record, e.g. a deliberately broken one. */
    void sendRaw(String key, String value) {
        producer.send(
                new ProducerRecord<>(
                        topic,
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)),
                failures);
        flush();
    }

    /**
     * The wall clock, never going backwards: one key's events must not go back in event time, and
     * events of the same millisecond keep their sending order.
     */
    long eventTime() {
        lastTs = Math.max(lastTs, System.currentTimeMillis());
        return lastTs;
    }

    int second(long millis) {
        return (int) ((millis - startMillis) / 1000);
    }

    Long lastEventSentAt(String sequenceId) {
        return lastEventSentAt.get(sequenceId);
    }

    Map<Integer, Integer> eventsPerSecond() {
        return Map.copyOf(eventsPerSecond);
    }

    /** Time spent sending, including pacing and the final flush. */
    public double sendingSeconds() {
        return sendingNanos / 1e9;
    }

    public long sent() {
        return sent;
    }
}
