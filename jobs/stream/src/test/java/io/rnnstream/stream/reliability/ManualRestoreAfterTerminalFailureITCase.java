package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T7. Fault: a task fails after a completed checkpoint and there is no restart strategy, so the job
 * fails for good; an operator then submits it again from the newest retained checkpoint. Must hold:
 * exactly-once continuity, i.e. the committed output of both runs together is the offline replay,
 * with no duplicate of what the failed run had committed and nothing missing.
 */
class ManualRestoreAfterTerminalFailureITCase {

    private static final String PREFIX = "terminal";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path checkpoints;

    @Test
    void restoringTheRetainedCheckpointContinuesExactlyOnce() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        EventScript script = stream.produceAll(PREFIX, 200, 100);
        Map<String, String> settings = stream.settings(PREFIX, Map.of());

        // Armed only once the run has committed output, so that the failure always falls between
        // a commit and the end of the stream: armed at start, it could fire after a checkpoint
        // that completed before any sequence had ended, with nothing committed yet.
        FaultInjector.reset(false);
        Configuration failing = StreamTestJob.retainCheckpoints(checkpoints);
        failing.addAll(StreamTestJob.noRestarts());
        JobClient failed =
                ClassifierTestJob.start(settings, new FaultInjector(1, 1_000), "hashmap", failing);
        KAFKA.read(
                PREFIX + "-results",
                "read_committed",
                1,
                java.time.Duration.ofMinutes(1),
                java.time.Duration.ZERO);
        FaultInjector.ARMED.set(true);
        assertThatThrownBy(() -> failed.getJobExecutionResult().get(2, TimeUnit.MINUTES))
                .as("the job fails for good")
                .hasStackTraceContaining("injected failure after a completed checkpoint");
        assertThat(FaultInjector.MAX_ATTEMPT.get()).as("no automatic restart").isZero();
        int committedByFailedRun =
                KAFKA.read(
                                PREFIX + "-results",
                                "read_committed",
                                Integer.MAX_VALUE,
                                java.time.Duration.ofSeconds(2),
                                java.time.Duration.ZERO)
                        .size();

        FaultInjector.reset(false);
        Configuration restore = StreamTestJob.retainCheckpoints(checkpoints);
        restore.addAll(
                StreamTestJob.restoreFrom(
                        StreamTestJob.latestCheckpoint(checkpoints, failed.getJobID())));
        JobClient restored =
                ClassifierTestJob.start(
                        settings, new FaultInjector(1, Integer.MAX_VALUE), "hashmap", restore);
        try {
            assertThat(committedByFailedRun)
                    .as("the failed run had committed part of the output")
                    .isBetween(1, script.planned().size() - 1);
            stream.assertExact(script, stream.readCommitted(PREFIX, script.planned().size()));
        } finally {
            restored.cancel().get();
        }
    }
}
