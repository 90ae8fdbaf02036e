package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SequenceStateSerializerTest {

    private final SequenceStateSerializer serializer = new SequenceStateSerializer();

    @Test
    void aTypicalStateRoundTripsIn22BytesBeyondItsHiddenFloats() throws IOException {
        SequenceState state = state(128, "w17", 29, 3, 1_764_000_000_000L, 1_764_000_000_480L);
        state.gapDeadline = state.lastTimestamp + 30_000;

        byte[] bytes = serialize(state);

        assertSame(state, deserialize(bytes));
        // flags 1, float count 2, steps 1, version 1, sequence id 1 + 3, first time 8,
        // last - first 2, deadline - last 3; the POJO serializer of release 0.1.0 took 65 plus key.
        assertThat(bytes.length - 128 * Float.BYTES).isEqualTo(22);
    }

    @Test
    void everyFieldKeepsItsExtremeValues() throws IOException {
        SequenceState state = state(0, null, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0);
        state.lastTimestamp = Long.MAX_VALUE;
        state.gapDeadline = Long.MIN_VALUE + 1;
        assertSame(state, deserialize(serialize(state)));

        SequenceState other = state(3, "ünïcødé \u0000 seq", 0, -1, Long.MAX_VALUE, Long.MIN_VALUE);
        other.hidden = new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0.0f};
        other.gapDeadline = Long.MAX_VALUE;
        SequenceState back = deserialize(serialize(other));
        assertSame(other, back);
        assertThat(back.hidden).containsExactly(Float.NaN, Float.NEGATIVE_INFINITY, -0.0f);
    }

    @Test
    void noSequenceIdAndNoGapTimerAreKeptApart() throws IOException {
        SequenceState state = state(2, null, 1, 1, 5, 5);
        SequenceState back = deserialize(serialize(state));
        assertThat(back.sequenceId).isNull();
        assertThat(back.gapDeadline).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void copiesDoNotShareTheHiddenState() {
        SequenceState state = state(4, "s", 1, 1, 1, 2);
        SequenceState copy = serializer.copy(state);
        copy.hidden[0] = 42;
        assertThat(state.hidden[0]).isNotEqualTo(42f);
        assertSame(copy, serializer.copy(copy, new SequenceState()));
    }

    @Test
    void corruptBytesFailWithAMessageNamingTheField() {
        assertThatThrownBy(() -> deserialize(new byte[] {(byte) 0x80}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown flags");
        byte[] hugeHidden = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F};
        assertThatThrownBy(() -> deserialize(hugeHidden))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("hidden state size");
    }

    @Test
    void theStateOfRelease010IsMigratedAndItsOwnFormatIsKept() {
        TypeSerializerSnapshot<SequenceState> current = serializer.snapshotConfiguration();
        TypeSerializer<SequenceState> pojo =
                TypeInformation.of(SequenceState.class)
                        .createSerializer(new ExecutionConfig().getSerializerConfig());

        assertThat(current.resolveSchemaCompatibility(pojo.snapshotConfiguration()))
                .matches(TypeSerializerSchemaCompatibility::isCompatibleAfterMigration);
        assertThat(current.resolveSchemaCompatibility(serializer.snapshotConfiguration()))
                .matches(TypeSerializerSchemaCompatibility::isCompatibleAsIs);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void stateOfAnotherTypeIsIncompatible() {
        TypeSerializerSnapshot foreign =
                Types.STRING
                        .createSerializer(new ExecutionConfig().getSerializerConfig())
                        .snapshotConfiguration();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(foreign))
                .matches(TypeSerializerSchemaCompatibility::isIncompatible);
    }

    @Test
    void aNewerFormatIsRefusedNamingBothVersions() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        byte[] written = out.getCopyOfBuffer();
        // The version follows the snapshot's class name; a later release writes 2 there.
        written[written.length - 1] = 2;

        assertThatThrownBy(
                        () ->
                                TypeSerializerSnapshot.readVersionedSnapshot(
                                        new DataInputDeserializer(written),
                                        getClass().getClassLoader()))
                .hasMessageContaining("written in format 2 by a newer rnnstream release")
                .hasMessageContaining("reads formats up to 1");
    }

    private static SequenceState state(
            int hiddenSize, String sequenceId, int steps, long version, long first, long last) {
        SequenceState state = new SequenceState();
        state.hidden = new float[hiddenSize];
        for (int i = 0; i < hiddenSize; i++) {
            state.hidden[i] = (float) Math.sin(i + 0.5);
        }
        state.sequenceId = sequenceId;
        state.steps = steps;
        state.modelVersion = version;
        state.firstTimestamp = first;
        state.lastTimestamp = last;
        return state;
    }

    private byte[] serialize(SequenceState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(state, out);
        return out.getCopyOfBuffer();
    }

    private SequenceState deserialize(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        SequenceState state = serializer.deserialize(in);
        assertThat(in.available()).as("bytes left after the state").isZero();
        return state;
    }

    private static void assertSame(SequenceState expected, SequenceState actual) {
        // Float.compare, unlike the default tolerance comparator, equates NaN with NaN and tells
        // -0.0 from 0.0: the state must come back bit for bit.
        assertThat(actual)
                .usingRecursiveComparison()
                .withComparatorForType(Float::compare, Float.class)
                .isEqualTo(expected);
    }
}
