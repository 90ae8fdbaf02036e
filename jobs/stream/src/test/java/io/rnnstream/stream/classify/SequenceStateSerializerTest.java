package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HexFormat;
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
    void aTypicalStateRoundTripsIn17BytesBeyondItsHiddenFloats() throws IOException {
        SequenceState state = state(128, "w17", 29, 3, 1_764_000_000_000L, 1_764_000_000_480L);
        state.gapDeadline = state.lastTimestamp + 30_000;

        byte[] bytes = serialize(state);

        assertSame(state, deserialize(bytes));
        // float count and flags 2, steps 1, version 1, sequence id 1 + 3, first time 6,
        // last - first 2, deadline - last in seconds 1; format 1 took 22, the POJO serializer of
        // release 0.1.0 65 plus key.
        assertThat(bytes.length - 128 * Float.BYTES).isEqualTo(17);
    }

    @Test
    void aGapDeadlineOffWholeSecondsKeepsItsMilliseconds() throws IOException {
        SequenceState state = state(2, "s", 1, 1, 1_764_000_000_000L, 1_764_000_000_480L);
        state.gapDeadline = state.lastTimestamp + 30_001;
        assertSame(state, deserialize(serialize(state)));
        state.gapDeadline = state.lastTimestamp - 7_000;
        assertSame(state, deserialize(serialize(state)));
    }

    @Test
    void stateWrittenInFormat1IsReadByTheSerializerRestoredForIt() throws IOException {
        // A state as release 0.2.0 wrote it (format 1): flags 3, 3 floats, steps 3, version 12,
        // "w7", first time 1_764_000_000_000 in 8 bytes, +480, deadline +30_000.
        byte[] format1 =
                HexFormat.of()
                        .parseHex(
                                "03033f000000bfa000004040000003180277370000019ab697e800c007e0d403");
        SequenceState expected = state(0, "w7", 3, 12, 1_764_000_000_000L, 1_764_000_000_480L);
        expected.hidden = new float[] {0.5f, -1.25f, 3f};
        expected.gapDeadline = expected.lastTimestamp + 30_000;
        TypeSerializerSnapshot<SequenceState> written = readBack(snapshotOfFormat(1));

        TypeSerializer<SequenceState> format1Reader = written.restoreSerializer();
        DataInputDeserializer in = new DataInputDeserializer(format1);
        assertSame(expected, format1Reader.deserialize(in));
        assertThat(in.available()).as("bytes left after the state").isZero();
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(written))
                .matches(TypeSerializerSchemaCompatibility::isCompatibleAfterMigration);
        assertThat(format1Reader).isNotEqualTo(serializer);
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
        // Seconds without a deadline: flags 4, no floats.
        assertThatThrownBy(() -> deserialize(new byte[] {4, 0, 0, 0, 0}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("seconds but no gap deadline");
        byte[] hugeHidden = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F};
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
        // The version follows the snapshot's class name; a later release writes 3 there.
        written[written.length - 1] = 3;

        assertThatThrownBy(() -> readBack(written))
                .hasMessageContaining("written in format 3 by a newer rnnstream release")
                .hasMessageContaining("reads formats up to 2");
    }

    /** The snapshot of a serializer of {@code format}, as a checkpoint holds it. */
    private static byte[] snapshotOfFormat(int format) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, new SequenceStateSerializer(format).snapshotConfiguration());
        return out.getCopyOfBuffer();
    }

    private TypeSerializerSnapshot<SequenceState> readBack(byte[] snapshot) throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot), getClass().getClassLoader());
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
