package io.rnnstream.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.cluster.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes of real processes under the shipped stream job jar on the standalone cluster: the
 * TaskManager's JVM and the Kafka broker's JVM are each killed with SIGKILL while the job is
 * mid-stream. Sequences straddle each fault (first halves before it, second halves during or after
 * it), so the committed output (read_committed) equals the offline replay only if every key's
 * hidden state came back from the last checkpoint, every event was applied once, and every result
 * committed once.
 *
 * <p>The TaskManager is replaced by a new JVM at once, as a supervisor (Kubernetes, systemd) would
 * restart it: the job needs all its slots and a standalone cluster has no spare ones. The cluster
 * keeps Flink's default heartbeats (10 s interval; a TaskManager whose heartbeat RPC fails twice is
 * lost), as the deployment files do, so the measured recovery time is what a deployment gets.
 */
class StandaloneProcessKillsITCase {

    /**
     * SIGKILL of the TaskManager to every task running again: up to two failed heartbeats (20 s) to
     * notice the loss, the restart delay (1 s), the replacement's start and the restore.
     */
    static final Duration TASK_MANAGER_BOUND = Duration.ofSeconds(45);

    /**
     * SIGKILL of the TaskManager to the last result committed (and read for 3 s more): the
     * recovery, then the backlog of a third of the second halves.
     */
    static final Duration RESULTS_BOUND = Duration.ofSeconds(60);

    /** Longer than the clients' request timeout (5 s) and the checkpoint timeout. */
    private static final Duration BROKER_OUTAGE = Duration.ofSeconds(12);

    /**
     * Events stamped while the broker is down reach the job after it, while event time followed the
     * wall clock; this out-of-orderness keeps them on time.
     */
    private static final Duration ALLOWANCE = Duration.ofSeconds(60);

    private static final int SEQUENCES = 200;
    private static final int KEYS = 100;
    private static final int EVENT_PARTITIONS = 2;

    @RegisterExtension static final KafkaBroker KAFKA = KafkaBroker.inItsOwnProcess();

    @TempDir static Path work;
    private static StandaloneFlinkCluster flink;
    private static VowelStream stream;

    @BeforeAll
    static void startCluster() throws Exception {
        flink =
                StandaloneFlinkCluster.start(
                        work.resolve("flink"),
                        2,
                        Duration.ofSeconds(60),
                        Map.of(
                                // Restarts while the broker is away must not use up the
                                // strategy.
                                "restart-strategy.fixed-delay.attempts", "60",
                                // Shorter than the broker outage: a checkpoint taken while the
                                // broker is down fails instead of waiting it out (default 10 min).
                                "execution.checkpointing.timeout", "5 s"));
        stream = VowelStream.create(KAFKA, work.resolve("models"));
    }

    @AfterAll
    static void stopCluster() {
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    void aKilledTaskManagerIsReplacedAndTheJobResumesWithExactOutput() throws Exception {
        String prefix = "tm-kill";
        VowelStream.Straddle straddle = stream.produceFirstHalves(prefix, SEQUENCES, KEYS);
        // Checkpoints a second apart leave results uncommitted long enough to kill among them.
        String job = submit(prefix, Map.of("checkpoint.interval", "1 s"));
        try {
            awaitCommittedOffsets(prefix, straddle.firstHalfRecords(), Duration.ofSeconds(60));

            // The second halves arrive in slices; the TaskManager dies after two thirds of them
            // are in a checkpoint (most sequences end late in their second halves), while results
            // are in an open transaction (written to the results topic, not yet committed) and
            // events are read but not yet checkpointed.
            List<ProducerRecord<byte[], byte[]>> secondHalves = straddle.secondHalves();
            int slices = 9;
            CompletableFuture<Void> producing =
                    CompletableFuture.runAsync(() -> produceInSlices(secondHalves, slices));
            awaitCommittedOffsets(
                    prefix,
                    straddle.firstHalfRecords() + 2 * secondHalves.size() / 3,
                    Duration.ofSeconds(60));
            awaitResultsInAnOpenTransaction(prefix + "-results", Duration.ofSeconds(30));
            long pid = flink.killTaskManager();
            long killed = System.nanoTime();
            flink.startTaskManager(Duration.ofSeconds(60));
            Duration recovery = awaitRestartedAndRunning(job, killed, TASK_MANAGER_BOUND);
            producing.get(1, TimeUnit.MINUTES);
            System.out.printf(
                    "TaskManager pid %d killed; replacement up and every task running again after"
                            + " %.1f s%n",
                    pid, recovery.toMillis() / 1e3);

            List<Results.Result> results =
                    stream.readCommitted(prefix, straddle.script().planned().size());
            Duration allCommitted = Duration.ofNanos(System.nanoTime() - killed);
            stream.assertExact(straddle.script(), results);
            System.out.printf(
                    "all %d results committed (and 3 s without duplicates) %.1f s after the kill%n",
                    straddle.script().planned().size(), allCommitted.toMillis() / 1e3);
            assertThat(allCommitted)
                    .as("the last result committed after the kill")
                    .isLessThanOrEqualTo(RESULTS_BOUND);
            assertThat(flink.jobState(job)).isEqualTo("RUNNING");
        } finally {
            flink.cancel(job);
        }
    }

    @Test
    void aKilledBrokerIsRestartedAndTheJobRecoversWithExactOutput() throws Exception {
        String prefix = "broker-kill";
        VowelStream.Straddle straddle = stream.produceFirstHalves(prefix, SEQUENCES, KEYS);
        String job =
                submit(
                        prefix,
                        Map.of(
                                "kafka.request.timeout.ms",
                                "5000",
                                "events.max-out-of-orderness",
                                ALLOWANCE.toSeconds() + " s"));
        try {
            awaitCommittedOffsets(prefix, straddle.firstHalfRecords() / 3, Duration.ofSeconds(60));
            long failedBefore = failedCheckpoints(job);
            long restartsBefore = restarts(job);
            VowelStream.BrokerOutage outage =
                    straddle.produceSecondHalvesAcrossBrokerOutage(BROKER_OUTAGE);
            stream.releaseEventTime(prefix, EVENT_PARTITIONS, ALLOWANCE);

            stream.assertExact(
                    straddle.script(),
                    stream.readCommitted(prefix, straddle.script().planned().size()));
            System.out.printf(
                    "all results committed %.1f s after the broker came back%n",
                    (System.nanoTime() - outage.restarted()) / 1e9);
            assertThat(flink.jobState(job)).as("recovered on its own").isEqualTo("RUNNING");
            long failed = failedCheckpoints(job) - failedBefore;
            long restarts = restarts(job) - restartsBefore;
            System.out.printf(
                    "after the broker kill: %d checkpoints failed, %d job restarts%n",
                    failed, restarts);
            // Without this the test would pass on a broker that never went away.
            assertThat(failed + restarts)
                    .as("checkpoints failed (%d) or the job restarted (%d)", failed, restarts)
                    .isPositive();
            outage.assertSecondHalvesCrossedIt();
        } finally {
            flink.cancel(job);
        }
    }

    /** Submits the stream job jar with {@code flink run -d} and waits until it runs. */
    private static String submit(String prefix, Map<String, String> overrides) throws Exception {
        Path config = work.resolve(prefix + ".properties");
        Properties properties = new Properties();
        properties.putAll(stream.settings(prefix, overrides));
        try (Writer out = Files.newBufferedWriter(config)) {
            properties.store(out, null);
        }
        String output = flink.flink("run", "-d", JobJars.stream(), "--config", config.toString());
        Matcher id = Pattern.compile("JobID ([0-9a-f]{32})").matcher(output);
        assertThat(id.find()).as("a job id in:%n%s", output).isTrue();
        flink.awaitRunning(id.group(1), Duration.ofSeconds(60));
        return id.group(1);
    }

    /**
     * Waits until the job's consumer group has committed at least {@code records} offsets: the
     * source commits them when a checkpoint completes, so every event before them is in a completed
     * checkpoint.
     */
    private static void awaitCommittedOffsets(String group, long records, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long committed = 0;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                committed =
                        admin
                                .listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .mapToLong(OffsetAndMetadata::offset)
                                .sum();
                if (committed >= records) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError(
                "group "
                        + group
                        + " committed "
                        + committed
                        + " of "
                        + records
                        + " offsets within "
                        + timeout
                        + "\n"
                        + flink.logTail(flink.newestTaskManager()));
    }

    /**
     * Waits until the results topic has records that read_committed readers cannot see yet: an open
     * transaction holds results of the job.
     */
    private static void awaitResultsInAnOpenTransaction(String topic, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (KAFKA.offsetsHeldBack(topic) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no results in an open transaction on " + topic + " within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    private static void produceInSlices(List<ProducerRecord<byte[], byte[]>> records, int slices) {
        for (int slice = 0; slice < slices; slice++) {
            KAFKA.produce(
                    records.subList(
                            slice * records.size() / slices,
                            (slice + 1) * records.size() / slices));
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Waits until every subtask of the job runs in a later attempt than the first (the job was
     * restarted) and returns the time since {@code since}.
     */
    private static Duration awaitRestartedAndRunning(String job, long since, Duration bound)
            throws Exception {
        long deadline = since + bound.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode details = flink.rest("jobs/" + job);
            boolean restartedAndRunning = details.get("state").asText().equals("RUNNING");
            for (JsonNode vertex : details.get("vertices")) {
                JsonNode subtasks =
                        flink.rest("jobs/" + job + "/vertices/" + vertex.get("id").asText())
                                .get("subtasks");
                for (JsonNode subtask : subtasks) {
                    restartedAndRunning &=
                            subtask.get("status").asText().equals("RUNNING")
                                    && subtask.get("attempt").asInt() > 0;
                }
            }
            if (restartedAndRunning) {
                return Duration.ofNanos(System.nanoTime() - since);
            }
            last = details.toString();
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the job did not run again within "
                        + bound
                        + " of the TaskManager kill: "
                        + last
                        + "\n"
                        + flink.logTail("jobmanager"));
    }

    /** Checkpoints of the job that failed so far (JobManager REST). */
    private static long failedCheckpoints(String job) throws IOException, InterruptedException {
        return flink.rest("jobs/" + job + "/checkpoints").at("/counts/failed").asLong();
    }

    /**
     * Times the job restarted so far: the failures in its exception history (JobManager REST), each
     * of which led to a restart while the job kept running.
     */
    private static long restarts(String job) throws IOException, InterruptedException {
        return flink.rest("jobs/" + job + "/exceptions").at("/exceptionHistory/entries").size();
    }
}
