package io.rnnstream.stream.reliability;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T6. Fault: the job is rescaled while sequences are in progress, four times in one lineage: 2 -> 1
 * from a savepoint, 1 -> 2 from a retained checkpoint, 2 -> 1 from a retained checkpoint, 1 -> 2
 * from a savepoint. Each run gets the next fifth of every key's events. Must hold: every key's
 * state moves with its key group (each straddling sequence equals the offline replay), no result is
 * lost or duplicated across the five runs.
 */
class RescaleKeepsEveryKeyITCase {

    private static final String PREFIX = "rescale";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;
    @TempDir Path checkpoints;
    @TempDir Path savepoints;

    /** How each run ends, and so how the next one starts. */
    private enum Handover {
        SAVEPOINT,
        RETAINED_CHECKPOINT
    }

    @Test
    void everyKeysStateFollowsItsKeyGroupAcrossRescaling() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        StreamTestJob.createTopics(KAFKA, PREFIX);
        EventScript script = stream.script(PREFIX, 150, 50);
        LongSupplier clock = EventScript.wallClock();
        int[] parallelism = {2, 1, 2, 1, 2};
        Handover[] handovers = {
            Handover.SAVEPOINT,
            Handover.RETAINED_CHECKPOINT,
            Handover.RETAINED_CHECKPOINT,
            Handover.SAVEPOINT
        };
        String restorePath = null;
        for (int run = 0; run < parallelism.length; run++) {
            List<ProducerRecord<byte[], byte[]>> part =
                    script.records(run, parallelism.length, clock);
            KAFKA.produce(part);
            FaultInjector.reset(false);
            Map<String, String> settings =
                    new HashMap<>(
                            stream.settings(PREFIX, Map.of("parallelism", "" + parallelism[run])));
            Configuration flink = StreamTestJob.retainCheckpoints(checkpoints);
            if (restorePath != null) {
                flink.addAll(StreamTestJob.restoreFrom(restorePath));
            }
            JobClient job =
                    ClassifierTestJob.start(
                            settings, new FaultInjector(0, Integer.MAX_VALUE), "hashmap", flink);
            if (run == parallelism.length - 1) {
                try {
                    stream.assertExact(
                            script, stream.readCommitted(PREFIX, script.planned().size()));
                } finally {
                    job.cancel().get();
                }
                return;
            }
            FaultInjector.awaitCheckpointAfter(part.size(), Duration.ofSeconds(60));
            if (handovers[run] == Handover.SAVEPOINT) {
                restorePath = StreamTestJob.stopWithSavepoint(job, savepoints);
            } else {
                job.cancel().get();
                restorePath = StreamTestJob.latestCheckpoint(checkpoints, job.getJobID());
            }
        }
    }
}
