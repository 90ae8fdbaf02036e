package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T10. Fault: results sit in an open transaction (seen as offsets read_committed readers cannot
 * pass) when the next checkpoint fails, so the job fails over and that transaction is aborted. The
 * failure is armed only while no checkpoint is in flight, so the open transaction cannot be
 * committed first. Must hold: a read_uncommitted reader sees the aborted copies (the topic really
 * holds duplicates), a read_committed reader sees every sequence exactly once and equal to the
 * offline replay.
 */
class ReadCommittedHidesAbortedResultsITCase {

    private static final String PREFIX = "isolation";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;

    @Test
    void readCommittedNeverShowsAbortedRecordsThatReadUncommittedShows() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        VowelStream.Straddle straddle = stream.produceFirstHalves(PREFIX, 200, 100);
        String results = PREFIX + "-results";

        FaultInjector.reset(false);
        // Long checkpoint intervals leave time to see results in an open transaction.
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(PREFIX, Map.of("checkpoint.interval", "2 s")),
                        FaultInjector.failingInCheckpoint(0, 0),
                        "hashmap");
        try {
            KAFKA.read(results, "read_committed", 1, Duration.ofSeconds(60), Duration.ZERO);
            straddle.produceSecondHalves();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (KAFKA.offsetsHeldBack(results) == 0 || FaultInjector.checkpointInFlight()) {
                assertThat(System.nanoTime())
                        .as("results in an open transaction")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            FaultInjector.ARMED.set(true);

            List<Results.Result> committed =
                    stream.readCommitted(PREFIX, straddle.script().planned().size());
            assertThat(FaultInjector.FIRED.get()).as("the checkpoint failed").isTrue();
            stream.assertExact(straddle.script(), committed);

            List<Results.Result> uncommitted =
                    Results.parse(
                            KAFKA.read(
                                    results,
                                    "read_uncommitted",
                                    Integer.MAX_VALUE,
                                    Duration.ofSeconds(3),
                                    Duration.ZERO),
                            stream.labels());
            Map<String, Long> copies =
                    uncommitted.stream()
                            .collect(
                                    Collectors.groupingBy(
                                            Results.Result::id, Collectors.counting()));
            assertThat(copies.keySet())
                    .as("read_uncommitted holds every committed sequence")
                    .containsAll(OfflineReplay.oneResultPerSequence(committed).keySet());
            assertThat(uncommitted.size() - committed.size())
                    .as("aborted copies visible to read_uncommitted")
                    .isPositive();
            assertThat(copies.values()).as("some sequence seen twice").anyMatch(n -> n > 1);
        } finally {
            job.cancel().get();
        }
    }
}
