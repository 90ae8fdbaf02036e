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
 * straddle the outage. The checkpoint counts are printed; how many fail during the outage varies (1
 * to 8 here).
 */
class BrokerOutageRecoversWithoutLossITCase {

    private static final String PREFIX = "outage";
    private static final Duration OUTAGE = Duration.ofSeconds(12);

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
        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(PREFIX, Map.of("kafka.request.timeout.ms", "5000")),
                        new FaultInjector(1, Integer.MAX_VALUE),
                        "hashmap",
                        patient);
        try {
            FaultInjector.awaitCheckpointAfter(
                    straddle.firstHalfRecords() / 3, Duration.ofSeconds(60));
            KAFKA.kill();
            Thread.sleep(OUTAGE.toMillis());
            KAFKA.restart();

            straddle.produceSecondHalves();
            stream.assertExact(
                    straddle.script(),
                    stream.readCommitted(PREFIX, straddle.script().planned().size()));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            CheckpointStatsCounts counts =
                    cluster.getExecutionGraph(job.getJobID())
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getCounts();
            System.out.println(
                    "T8: after the outage: task restarts "
                            + FaultInjector.MAX_ATTEMPT.get()
                            + ", checkpoints completed "
                            + counts.getNumberOfCompletedCheckpoints()
                            + ", failed "
                            + counts.getNumberOfFailedCheckpoints());
        } finally {
            job.cancel().get();
        }
    }
}
