package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T8. Fault: the only Kafka broker (a separate JVM) is killed with SIGKILL while the job is
 * mid-stream, stays down for {@link #OUTAGE} (longer than the clients' {@code request.timeout.ms}
 * of 5 s), and is started again on the same port and log directory. Must hold: the job recovers on
 * its own (still running, no manual restore); the committed output is exactly the offline replay,
 * so nothing was written twice and nothing a checkpoint claimed was lost: had a checkpoint
 * completed (moving the source past its records) while its results never reached the broker, those
 * sequences would be missing, as their events are not read again (no silent success). Sequences
 * straddle the outage: their second halves are sent while the broker is down. And the outage must
 * have reached the job: at least one checkpoint failed or a task restarted after the kill (the
 * checkpoint timeout is shorter than the outage, so a checkpoint cannot simply wait it out).
 */
class BrokerOutageRecoversWithoutLossITCase {

    private static final String PREFIX = "outage";
    private static final Duration OUTAGE = Duration.ofSeconds(12);
    private static final Duration ALLOWANCE = Duration.ofSeconds(60);
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(5);
    private static final int EVENT_PARTITIONS = 2;

    @RegisterExtension static final KafkaBroker KAFKA = KafkaBroker.inItsOwnProcess();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;

    @Test
    void theJobRecoversWithNoLossAndNoDuplicates(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        VowelStream.Straddle straddle = stream.produceFirstHalves(PREFIX, 200, 100);

        // Restarts may happen while the broker is away; allow enough of them to outlast it.
        Configuration patient = new Configuration();
        patient.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 30);
        patient.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        // A checkpoint waits for the sink to flush to the broker; the default timeout (10 min)
        // would let it wait out the whole outage, so the job would never notice it. Shorter than
        // the outage, a checkpoint taken while the broker is down must fail.
        patient.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(
                                PREFIX,
                                Map.of(
                                        "kafka.request.timeout.ms",
                                        "5000",
                                        // Events stamped during the outage arrive after it; while
                                        // the input is quiet, event time follows the wall clock,
                                        // so without this allowance they would all be late.
                                        "events.max-out-of-orderness",
                                        ALLOWANCE.toSeconds() + " s")),
                        new FaultInjector(1, Integer.MAX_VALUE),
                        "hashmap",
                        patient);
        try {
            FaultInjector.awaitCheckpointAfter(
                    straddle.firstHalfRecords() / 3, Duration.ofSeconds(60));
            CheckpointStatsCounts before = checkpoints(cluster, job);
            int attemptBefore = FaultInjector.MAX_ATTEMPT.get();
            VowelStream.BrokerOutage outage =
                    straddle.produceSecondHalvesAcrossBrokerOutage(OUTAGE);
            // With that allowance the last events would wait a minute for the watermark; one
            // newer event per partition, after the second halves, releases them now.
            stream.releaseEventTime(PREFIX, EVENT_PARTITIONS, ALLOWANCE);

            stream.assertExact(
                    straddle.script(),
                    stream.readCommitted(PREFIX, straddle.script().planned().size()));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            CheckpointStatsCounts after = checkpoints(cluster, job);
            long failedCheckpoints =
                    after.getNumberOfFailedCheckpoints() - before.getNumberOfFailedCheckpoints();
            int restarts = FaultInjector.MAX_ATTEMPT.get() - attemptBefore;
            System.out.println(
                    "T8: after the outage: task restarts "
                            + restarts
                            + ", checkpoints completed "
                            + after.getNumberOfCompletedCheckpoints()
                            + ", failed during or after the outage "
                            + failedCheckpoints);
            // The outage reached the job: without this the test would pass on a broker that
            // never went away.
            assertThat(failedCheckpoints + restarts)
                    .as(
                            "checkpoints failed (%d) or tasks restarted (%d)",
                            failedCheckpoints, restarts)
                    .isPositive();
            outage.assertSecondHalvesCrossedIt();
        } finally {
            job.cancel().get();
        }
    }

    private static CheckpointStatsCounts checkpoints(MiniCluster cluster, JobClient job)
            throws Exception {
        return cluster.getExecutionGraph(job.getJobID())
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts();
    }
}
