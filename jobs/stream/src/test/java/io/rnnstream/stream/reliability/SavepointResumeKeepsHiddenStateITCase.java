package io.rnnstream.stream.reliability;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * T5. Fault: the job is stopped with a savepoint while every key has a sequence in progress, and
 * resubmitted from it. Must hold: each straddling sequence's classification equals the offline
 * replay of the whole sequence, so every key's hidden state (and its events still waiting for the
 * watermark) after resume equals the state before the stop; nothing is lost or duplicated. Run with
 * heap (hashmap) and RocksDB state, and from a heap savepoint into RocksDB (canonical format).
 */
class SavepointResumeKeepsHiddenStateITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir static Path models;
    private static VowelStream stream;

    @BeforeAll
    static void prepare() throws Exception {
        stream = VowelStream.create(KAFKA, models);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"hashmap, hashmap", "rocksdb, rocksdb", "hashmap, rocksdb"})
    void everyKeyResumesWhereItStopped(String before, String after, @TempDir Path savepoints)
            throws Exception {
        String prefix = "savepoint-" + before + "-" + after;
        Map<String, String> settings = stream.settings(prefix, Map.of());
        FaultInjector.reset(false);
        VowelStream.Straddle straddle = stream.produceFirstHalves(prefix, 120, 60);
        JobClient first =
                ClassifierTestJob.start(settings, new FaultInjector(0, Integer.MAX_VALUE), before);
        FaultInjector.awaitCheckpointAfter(straddle.firstHalfRecords(), Duration.ofSeconds(60));
        String savepoint = StreamTestJob.stopWithSavepoint(first, savepoints);

        straddle.produceSecondHalves();
        JobClient second =
                ClassifierTestJob.start(
                        settings,
                        new FaultInjector(0, Integer.MAX_VALUE),
                        after,
                        StreamTestJob.restoreFrom(savepoint));
        try {
            stream.assertExact(
                    straddle.script(),
                    stream.readCommitted(prefix, straddle.script().planned().size()));
        } finally {
            second.cancel().get();
        }
    }
}
