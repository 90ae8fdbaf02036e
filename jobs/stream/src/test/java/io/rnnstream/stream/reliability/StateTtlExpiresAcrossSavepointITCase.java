package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T12. Fault: keys go idle longer than {@code state.ttl} (processing time) while their event-time
 * gap timer cannot fire, and the job is stopped with a savepoint and resumed in between. Two groups
 * of keys get the first half of a sequence: "idle" keys more than the TTL before the stop, "live"
 * keys just before it; after the resume both get the second half. Must hold: an idle key's state
 * has expired, so its sequence restarts from the initial hidden state (its result is the offline
 * classification of the second half alone, with that many steps); a live key keeps its state
 * through the savepoint (its result is the offline classification of the whole sequence).
 *
 * <p>Event time barely moves (one millisecond per event), and a large {@code events.idleness} keeps
 * it from following the wall clock, so only the TTL can end the idle keys' sequences. Ticks (events
 * with a wrong dimension, sent to both partitions) move the watermark so that each phase's events
 * are applied; they are dead-lettered and touch no state.
 */
class StateTtlExpiresAcrossSavepointITCase {

    private static final String PREFIX = "ttl";
    private static final Duration TTL = Duration.ofSeconds(20);
    private static final int KEYS = 30;

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path savepoints;
    private final long[] eventTime = {System.currentTimeMillis()};
    private final LongSupplier clock = () -> eventTime[0]++;

    @Test
    void expiredKeysRestartFromTheInitialStateAndLiveKeysKeepTheirs() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        StreamTestJob.createTopics(KAFKA, PREFIX);
        EventScript idle = new EventScript(PREFIX + "-events");
        EventScript live = new EventScript(PREFIX + "-events");
        for (int i = 0; i < KEYS; i++) {
            idle.add("idle-" + i, "s", stream.data().sequences().get(i));
            live.add("live-" + i, "s", stream.data().sequences().get(KEYS + i));
        }
        Map<String, String> settings =
                stream.settings(
                        PREFIX,
                        Map.of(
                                "state.ttl", TTL.toSeconds() + " s",
                                "sequence.gap", (TTL.toSeconds() - 1) + " s",
                                "events.idleness", "10 min"));

        FaultInjector.reset(false);
        JobClient first =
                ClassifierTestJob.start(settings, new FaultInjector(0, Integer.MAX_VALUE));
        int sent = produceWithTicks(idle.records(0, 2, clock));
        FaultInjector.awaitCheckpointAfter(sent, Duration.ofSeconds(60));
        long idleWritten = System.nanoTime();
        Thread.sleep(TTL.plusSeconds(1).toMillis());

        long liveWritten = System.nanoTime();
        sent += produceWithTicks(live.records(0, 2, clock));
        FaultInjector.awaitCheckpointAfter(sent, Duration.ofSeconds(60));
        String savepoint = StreamTestJob.stopWithSavepoint(first, savepoints);

        FaultInjector.reset(false);
        JobClient second =
                ClassifierTestJob.start(
                        settings,
                        new FaultInjector(0, Integer.MAX_VALUE),
                        "hashmap",
                        StreamTestJob.restoreFrom(savepoint));
        try {
            List<ProducerRecord<byte[], byte[]>> secondHalves =
                    new ArrayList<>(idle.records(1, 2, clock));
            secondHalves.addAll(live.records(1, 2, clock));
            produceWithTicks(secondHalves);
            List<Results.Result> results = stream.readCommitted(PREFIX, 2 * KEYS);
            Duration liveAge = Duration.ofNanos(System.nanoTime() - liveWritten);
            assertThat(liveAge)
                    .as("live keys were written less than the TTL before their last event")
                    .isLessThan(TTL);
            assertThat(Duration.ofNanos(liveWritten - idleWritten)).isGreaterThan(TTL);

            Map<String, Results.Result> byId = OfflineReplay.oneResultPerSequence(results);
            assertThat(byId).hasSize(2 * KEYS);
            for (EventScript.Planned plan : idle.planned()) {
                float[][] steps = plan.sequence().features();
                OfflineReplay.assertResult(
                        byId.get(plan.key() + "/s"),
                        Arrays.copyOfRange(steps, steps.length / 2, steps.length),
                        stream.model().classifier(),
                        1);
            }
            for (EventScript.Planned plan : live.planned()) {
                OfflineReplay.assertResult(
                        byId.get(plan.key() + "/s"),
                        plan.sequence().features(),
                        stream.model().classifier(),
                        1);
            }
        } finally {
            second.cancel().get();
        }
    }

    /**
     * Produces {@code records}, then a tick to each partition half a second of event time later;
     * returns how many records were sent.
     */
    private int produceWithTicks(List<ProducerRecord<byte[], byte[]>> records) {
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(records);
        eventTime[0] += 500;
        long ts = clock.getAsLong();
        for (int partition = 0; partition < 2; partition++) {
            String tick = "{\"key\":\"tick\",\"ts\":" + ts + ",\"features\":[0]}";
            all.add(
                    new ProducerRecord<>(
                            PREFIX + "-events",
                            partition,
                            KafkaBroker.utf8("tick"),
                            KafkaBroker.utf8(tick)));
        }
        KAFKA.produce(all);
        return all.size();
    }
}
