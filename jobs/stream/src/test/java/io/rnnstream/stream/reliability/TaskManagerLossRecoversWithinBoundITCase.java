package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TaskManagers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T4. Fault: one of two TaskManagers (one slot each, so both run tasks) is terminated while every
 * key has a sequence in progress; a replacement TaskManager is started. Must hold: every task runs
 * again, in a new attempt, within {@link #BOUND} of the loss; the output is exactly the offline
 * replay, straddling sequences included.
 *
 * <p>Approximation: {@code MiniCluster.terminateTaskManager} shuts the TaskManager down in-process,
 * so the JobManager learns of the loss at once; a killed TaskManager process is noticed from its
 * heartbeats, after {@code heartbeat.rpc-failure-threshold} (2) failed heartbeat RPCs {@code
 * heartbeat.interval} (10 s) apart, which adds to the bound in production. The deploy module's
 * {@code StandaloneProcessKillsITCase} kills a TaskManager JVM with SIGKILL and bounds that.
 */
class TaskManagerLossRecoversWithinBoundITCase {

    /** Loss to all tasks running again: restart delay 200 ms, redeploy, restore. */
    static final Duration BOUND = Duration.ofSeconds(30);

    private static final String PREFIX = "tm-loss";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = TaskManagers.twoWithOneSlotEach();

    @TempDir Path models;

    @Test
    void runsAgainWithinTheBoundAndTheOutputIsExact(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        VowelStream.Straddle straddle = stream.produceFirstHalves(PREFIX, 200, 100);

        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(PREFIX, Map.of()), new FaultInjector(0, Integer.MAX_VALUE));
        try {
            FaultInjector.awaitCheckpointAfter(straddle.firstHalfRecords(), Duration.ofSeconds(60));
            Duration recovery = TaskManagers.replaceOne(cluster, job.getJobID(), BOUND);
            System.out.println(
                    "T4: all tasks running again "
                            + recovery.toMillis()
                            + " ms after the TaskManager loss");
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("tasks restarted").isPositive();

            straddle.produceSecondHalves();
            stream.assertExact(
                    straddle.script(),
                    stream.readCommitted(PREFIX, straddle.script().planned().size()));
        } finally {
            job.cancel().get();
        }
    }
}
