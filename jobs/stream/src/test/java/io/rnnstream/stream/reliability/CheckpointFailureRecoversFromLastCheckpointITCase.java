package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T3. Fault: a checkpoint fails while it is being taken (the events tap throws from its snapshot,
 * after an earlier checkpoint completed); with no tolerated checkpoint failures the job fails over
 * and restores the last completed, retained checkpoint. Must hold: the committed output is the
 * offline replay (what was committed matches what was checkpointed, nothing of the failed
 * checkpoint's transaction shows), and read_committed readers are not left behind an open
 * transaction: the last stable offset of every output partition catches up with its end.
 *
 * <p>Approximation: the failure is thrown in the synchronous part of the snapshot; a failure in the
 * asynchronous upload of state files takes the same path (the checkpoint is declined, the job fails
 * over) but cannot be injected without a faulty file system.
 */
class CheckpointFailureRecoversFromLastCheckpointITCase {

    private static final String PREFIX = "checkpoint-failure";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path checkpoints;

    @Test
    void aFailedCheckpointRestoresTheLastCompletedOneAndLeavesNoOpenTransaction() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        EventScript script = stream.produceAll(PREFIX, 200, 100);

        FaultInjector.reset(true);
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(PREFIX, Map.of()),
                        FaultInjector.failingInCheckpoint(1, 400),
                        "hashmap",
                        StreamTestJob.retainCheckpoints(checkpoints));
        try {
            stream.assertExact(script, stream.readCommitted(PREFIX, script.planned().size()));
            assertThat(FaultInjector.FIRED.get()).as("a checkpoint failed").isTrue();
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("tasks restarted").isPositive();
            for (String topic : new String[] {PREFIX + "-results", PREFIX + "-dead-letters"}) {
                assertThat(KAFKA.awaitNoOpenTransactions(topic, Duration.ofSeconds(30)))
                        .as("offsets read_committed readers cannot pass yet on %s", topic)
                        .isZero();
            }
        } finally {
            job.cancel().get();
        }
    }
}
