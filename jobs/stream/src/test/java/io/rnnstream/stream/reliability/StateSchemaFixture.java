package io.rnnstream.stream.reliability;

import io.rnnstream.stream.testing.VowelStream;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The traffic of the committed state-schema savepoints ({@value #RELEASE_010}, {@value #FORMAT_1},
 * {@value #CURRENT}): the first halves of {@value #KEYS} sequences, then a tick per partition, all
 * with fixed event times. A test that restores the savepoint produces exactly the same records
 * first (so the restored source offsets point at the second halves), then the second halves and
 * ticks.
 */
final class StateSchemaFixture {

    /** The savepoint taken with release 0.1.0: Flink's POJO serializer wrote the state. */
    static final String RELEASE_010 = "savepoints/sequence-state-v1";

    /** The savepoint of format 1 of {@code SequenceStateSerializer}. */
    static final String FORMAT_1 = "savepoints/sequence-state-v2";

    /** The savepoint of format 2 of {@code SequenceStateSerializer}, the current one. */
    static final String CURRENT = "savepoints/sequence-state-v3";

    static final String PREFIX = "schema";
    static final int KEYS = 20;
    private static final long FIRST_EVENT_TIME = 1_764_000_000_000L;

    private final VowelStream stream;
    private final EventScript script;
    private final long[] eventTime = {FIRST_EVENT_TIME};
    private final LongSupplier clock = () -> eventTime[0]++;

    StateSchemaFixture(VowelStream stream) {
        this.stream = stream;
        this.script = stream.script(PREFIX, KEYS, KEYS);
    }

    EventScript script() {
        return script;
    }

    /**
     * Fixed event times and no wall-clock watermark: the savepoint's keys must neither time out nor
     * expire however long after it was taken it is restored.
     */
    Map<String, String> settings(Map<String, String> overrides) {
        Map<String, String> settings = new java.util.HashMap<>(overrides);
        settings.put("events.idleness", "100 d");
        settings.put("sequence.gap", "1 d");
        settings.put("state.ttl", "36500 d");
        return stream.settings(PREFIX, settings);
    }

    /** The records before the savepoint; the same every time. */
    List<ProducerRecord<byte[], byte[]>> firstHalves() {
        eventTime[0] = FIRST_EVENT_TIME;
        return withTicks(script.records(0, 2, clock));
    }

    /** The records after the savepoint; call after {@link #firstHalves()}. */
    List<ProducerRecord<byte[], byte[]>> secondHalves() {
        return withTicks(script.records(1, 2, clock));
    }

    /** Ticks move event time on both partitions, so the events before them are applied. */
    private List<ProducerRecord<byte[], byte[]>> withTicks(
            List<ProducerRecord<byte[], byte[]>> records) {
        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(records);
        eventTime[0] += 1_000;
        long ts = clock.getAsLong();
        for (int partition = 0; partition < 2; partition++) {
            all.add(
                    new ProducerRecord<>(
                            PREFIX + "-events",
                            partition,
                            KafkaBroker.utf8("tick"),
                            KafkaBroker.utf8(
                                    "{\"key\":\"tick\",\"ts\":" + ts + ",\"features\":[0]}")));
        }
        return all;
    }

    /** Where the current savepoint lives in the source tree, for the tool that writes it. */
    static Path sourceDirectory() {
        return Path.of("src", "test", "resources").resolve(CURRENT);
    }
}
