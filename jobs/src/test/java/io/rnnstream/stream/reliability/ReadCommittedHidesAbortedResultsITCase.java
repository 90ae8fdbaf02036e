package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.testing.EventScript;
import io.rnnstream.stream.testing.FaultInjector;
import io.rnnstream.stream.testing.KafkaBroker;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.testing.Results;
import io.rnnstream.stream.testing.StreamTestJob;
import io.rnnstream.stream.testing.VowelStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * T10. Fault: a task fails after a checkpoint, with results of the next checkpoint already written
 * in its (then aborted) transaction. Must hold: a read_uncommitted reader sees those aborted copies
 * (the results topic really holds duplicates), while a read_committed reader sees every sequence
 * exactly once and equal to the offline replay.
 */
class ReadCommittedHidesAbortedResultsITCase {

    private static final String PREFIX = "isolation";

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;

    @Test
    void readCommittedNeverShowsAbortedRecordsThatReadUncommittedShows() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        EventScript script = stream.produceAll(PREFIX, 200, 100);

        FaultInjector.reset(true);
        JobClient job =
                StreamTestJob.start(
                        stream.settings(PREFIX, Map.of()), new FaultInjector(1, 700), "hashmap");
        try {
            List<Results.Result> committed = stream.readCommitted(PREFIX, script.planned().size());
            assertThat(FaultInjector.FIRED.get()).as("the failure was injected").isTrue();
            stream.assertExact(script, committed);

            List<ConsumerRecord<byte[], byte[]>> uncommittedRecords =
                    KAFKA.read(
                            PREFIX + "-results",
                            "read_uncommitted",
                            Integer.MAX_VALUE,
                            Duration.ofSeconds(3),
                            Duration.ZERO);
            List<Results.Result> uncommitted = Results.parse(uncommittedRecords, stream.labels());
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
            assertThat(committed.stream().map(Results.Result::id).collect(Collectors.toSet()))
                    .hasSize(committed.size());
        } finally {
            job.cancel().get();
        }
    }
}
