package io.rnnstream.stream.classify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link SequenceState} in as few bytes as the hidden state allows, because there is one
 * per entity and a job may hold millions: the hidden floats as they are, the rest as
 * variable-length integers and deltas from the first event time, with no null flags and without the
 * entity key and model name, which the state key already holds.
 *
 * <p>Format 1, in order: a flags byte (bit 0: sequence id present, bit 1: gap deadline present);
 * the number of hidden floats, then the floats; steps; model version; the sequence id as UTF-8 with
 * its length; the first event time (8 bytes); the last event time minus the first; the gap deadline
 * minus the last event time. Counts are unsigned and differences zig-zag variable-length integers;
 * a difference is taken modulo 2<sup>64</sup>, so every long value round-trips.
 *
 * <p>Savepoints of release 0.1.0 are migrated on restore (see {@link
 * SequenceStateSerializerSnapshot}); a future format gets a new snapshot version.
 */
public final class SequenceStateSerializer extends TypeSerializer<SequenceState> {

    private static final long serialVersionUID = 1L;

    private static final int HAS_SEQUENCE_ID = 1;
    private static final int HAS_GAP_DEADLINE = 2;
    private static final int KNOWN_FLAGS = HAS_SEQUENCE_ID | HAS_GAP_DEADLINE;

    /** Far more than any model's hidden state or any sequence id; guards against corrupt input. */
    private static final int MAX_LENGTH = 1 << 24;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<SequenceState> duplicate() {
        return this;
    }

    @Override
    public SequenceState createInstance() {
        return new SequenceState();
    }

    @Override
    public SequenceState copy(SequenceState from) {
        SequenceState copy = new SequenceState();
        copy.sequenceId = from.sequenceId;
        copy.modelVersion = from.modelVersion;
        copy.hidden = from.hidden == null ? null : from.hidden.clone();
        copy.steps = from.steps;
        copy.firstTimestamp = from.firstTimestamp;
        copy.lastTimestamp = from.lastTimestamp;
        copy.gapDeadline = from.gapDeadline;
        return copy;
    }

    @Override
    public SequenceState copy(SequenceState from, SequenceState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SequenceState state, DataOutputView out) throws IOException {
        int flags =
                (state.sequenceId != null ? HAS_SEQUENCE_ID : 0)
                        | (state.gapDeadline != Long.MIN_VALUE ? HAS_GAP_DEADLINE : 0);
        out.writeByte(flags);
        float[] hidden = state.hidden == null ? new float[0] : state.hidden;
        writeUnsigned(out, hidden.length);
        for (float value : hidden) {
            out.writeFloat(value);
        }
        writeUnsigned(out, state.steps);
        writeSigned(out, state.modelVersion);
        if (state.sequenceId != null) {
            byte[] utf8 = state.sequenceId.getBytes(StandardCharsets.UTF_8);
            writeUnsigned(out, utf8.length);
            out.write(utf8);
        }
        out.writeLong(state.firstTimestamp);
        writeSigned(out, state.lastTimestamp - state.firstTimestamp);
        if (state.gapDeadline != Long.MIN_VALUE) {
            writeSigned(out, state.gapDeadline - state.lastTimestamp);
        }
    }

    @Override
    public SequenceState deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IOException(
                    "sequence state: unknown flags " + flags + " (format 1 knows bits 0 and 1)");
        }
        SequenceState state = new SequenceState();
        state.hidden = new float[length(in, "hidden state size")];
        for (int i = 0; i < state.hidden.length; i++) {
            state.hidden[i] = in.readFloat();
        }
        state.steps = (int) readUnsigned(in, "steps", Integer.MAX_VALUE);
        state.modelVersion = readSigned(in);
        if ((flags & HAS_SEQUENCE_ID) != 0) {
            byte[] utf8 = new byte[length(in, "sequence id length")];
            in.readFully(utf8);
            state.sequenceId = new String(utf8, StandardCharsets.UTF_8);
        }
        state.firstTimestamp = in.readLong();
        state.lastTimestamp = state.firstTimestamp + readSigned(in);
        if ((flags & HAS_GAP_DEADLINE) != 0) {
            state.gapDeadline = state.lastTimestamp + readSigned(in);
        }
        return state;
    }

    @Override
    public SequenceState deserialize(SequenceState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SequenceStateSerializer;
    }

    @Override
    public int hashCode() {
        return SequenceStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SequenceState> snapshotConfiguration() {
        return new SequenceStateSerializerSnapshot();
    }

    private static int length(DataInputView in, String what) throws IOException {
        return (int) readUnsigned(in, what, MAX_LENGTH);
    }

    private static void writeSigned(DataOutputView out, long value) throws IOException {
        writeUnsigned(out, (value << 1) ^ (value >> 63));
    }

    private static long readSigned(DataInputView in) throws IOException {
        long zigZag = readUnsigned(in, "difference", -1);
        return (zigZag >>> 1) ^ -(zigZag & 1);
    }

    /** Seven bits per byte, low bits first; the high bit says another byte follows. */
    private static void writeUnsigned(DataOutputView out, long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    /** Reads an unsigned variable-length integer; {@code limit} -1 means any 64-bit value. */
    private static long readUnsigned(DataInputView in, String what, long limit) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (limit >= 0 && (value < 0 || value > limit)) {
                    throw new IOException(
                            "sequence state: " + what + " " + value + " is above " + limit);
                }
                return value;
            }
        }
        throw new IOException("sequence state: " + what + " is longer than 10 bytes");
    }
}
