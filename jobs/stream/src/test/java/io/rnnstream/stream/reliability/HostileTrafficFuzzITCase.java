package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz run. Fault: {@link #HOSTILE} generated hostile records of every {@link HostileRecords} kind
 * (random bytes, truncated and deeply nested JSON, huge arrays and strings, wrong types, NaN and
 * infinities, unknown fields, duplicate keys, records without a value, ...) interleaved with valid
 * traffic whose events also carry unknown fields. Must hold: zero task restarts; every hostile
 * record, and nothing else, on the dead-letter topic once, with its original bytes and the reason
 * of its kind; the valid output equals the offline replay. Bounded: every read gives up after 120
 * s.
 */
class HostileTrafficFuzzITCase {

    private static final String PREFIX = "fuzz";
    private static final int HOSTILE = 10_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;

    /** A hostile record and the reason it must be dead-lettered with. */
    private record Sent(HostileRecords kind, byte[] value) {}

    @Test
    void everyHostileRecordIsDeadLetteredWithItsReasonAndValidOutputIsExact() throws Exception {
        VowelStream stream = VowelStream.create(KAFKA, models);
        StreamTestJob.createTopics(KAFKA, PREFIX);
        EventScript script = stream.script(PREFIX, 100, 50);
        long start = System.currentTimeMillis();
        List<ProducerRecord<byte[], byte[]>> valid = withUnknownFields(script.records(start));

        Random random = new Random(20261127L);
        HostileRecords[] kinds = HostileRecords.values();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<Sent> hostile = new ArrayList<>();
        int nextValid = 0;
        for (int i = 0; i < HOSTILE; i++) {
            // Huge records are rarer so the run stays small (about 14 MB of them).
            HostileRecords kind =
                    i % 100 == 0
                            ? HostileRecords.HUGE_ARRAY
                            : i % 100 == 50 ? HostileRecords.HUGE_STRING : kinds[i % kinds.length];
            // Older than all valid traffic, so no hostile event time moves the watermark.
            byte[] value = kind.generate(random, start - 60_000);
            byte[] key = random.nextBoolean() ? null : KafkaBroker.utf8("hostile-" + i);
            records.add(new ProducerRecord<>(PREFIX + "-events", key, value));
            hostile.add(new Sent(kind, value));
            while (nextValid < (long) (i + 1) * valid.size() / HOSTILE) {
                records.add(valid.get(nextValid++));
                hostile.add(null);
            }
        }
        long started = System.nanoTime();
        List<RecordMetadata> written = KAFKA.produce(records);
        Map<String, Sent> hostileAt = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            if (hostile.get(i) != null) {
                hostileAt.put(position(written.get(i)), hostile.get(i));
            }
        }
        assertThat(hostileAt).hasSize(HOSTILE);

        FaultInjector.reset(false);
        JobClient job =
                ClassifierTestJob.start(
                        stream.settings(
                                PREFIX, Map.of("events.max-bytes", "" + HostileRecords.MAX_BYTES)),
                        new FaultInjector(0, Integer.MAX_VALUE));
        try {
            stream.assertExact(script, stream.readCommitted(PREFIX, script.planned().size()));
            List<ConsumerRecord<byte[], byte[]>> letters =
                    KAFKA.read(
                            PREFIX + "-dead-letters",
                            "read_committed",
                            HOSTILE,
                            Duration.ofSeconds(120),
                            Duration.ofSeconds(3));
            System.out.println(
                    "fuzz: "
                            + HOSTILE
                            + " hostile and "
                            + valid.size()
                            + " valid records handled in "
                            + Duration.ofNanos(System.nanoTime() - started).toMillis()
                            + " ms");
            Map<HostileRecords, Integer> perKind = new EnumMap<>(HostileRecords.class);
            Map<String, Integer> seen = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                String at =
                        KafkaBroker.header(letter, DeadLetterSerializer.SOURCE_PARTITION)
                                + "@"
                                + KafkaBroker.header(letter, DeadLetterSerializer.SOURCE_OFFSET);
                Sent sent = hostileAt.get(at);
                assertThat(sent).as("dead letter of a hostile record, at %s", at).isNotNull();
                assertThat(KafkaBroker.header(letter, DeadLetterSerializer.REASON))
                        .as("reason for %s at %s", sent.kind(), at)
                        .isEqualTo(sent.kind().reason());
                assertThat(KafkaBroker.header(letter, DeadLetterSerializer.MESSAGE)).isNotBlank();
                assertThat(letter.value()).as("original bytes at %s", at).isEqualTo(sent.value());
                seen.merge(at, 1, Integer::sum);
                perKind.merge(sent.kind(), 1, Integer::sum);
            }
            assertThat(seen).as("hostile records dead-lettered").hasSize(HOSTILE);
            assertThat(seen.values()).as("dead-lettered once each").containsOnly(1);
            assertThat(perKind).as("every kind").hasSize(kinds.length);
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("task restarts").isZero();
        } finally {
            job.cancel().get();
        }
    }

    /** Adds a field the job does not know to every third valid event; it must be ignored. */
    private static List<ProducerRecord<byte[], byte[]>> withUnknownFields(
            List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<ProducerRecord<byte[], byte[]>> changed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord<byte[], byte[]> record = records.get(i);
            if (i % 3 == 0) {
                ObjectNode event = (ObjectNode) MAPPER.readTree(record.value());
                event.putObject("note").put("source", "sensor-" + i).putArray("tags").add(i);
                record =
                        new ProducerRecord<>(
                                record.topic(), record.key(), MAPPER.writeValueAsBytes(event));
            }
            changed.add(record);
        }
        return changed;
    }

    private static String position(RecordMetadata metadata) {
        return metadata.partition() + "@" + metadata.offset();
    }
}
