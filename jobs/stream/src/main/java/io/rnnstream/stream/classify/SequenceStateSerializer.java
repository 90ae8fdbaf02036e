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
 * <p>Format 2, in order: a header, the number of hidden floats shifted left by three bits with
 * three flags in the low bits (bit 0: sequence id present, bit 1: gap deadline present, bit 2: the
 * gap deadline lies a whole number of seconds after the last event time); the floats; steps; model
 * version; the sequence id as UTF-8 with its length; the first event time; the last event time
 * minus the first; the gap deadline minus the last event time, in seconds when bit 2 says so (gaps
 * are configured in seconds or more, so the common deadline takes one or two bytes instead of three
 * or four). Every number is a variable-length integer, counts unsigned and the rest zig-zag; a
 * difference is taken modulo 2<sup>64</sup>, so every long value round-trips.
 *
 * <p>Format 1 had a flags byte in front of the float count and the first event time in 8 fixed
 * bytes; a serializer restored for it ({@link SequenceStateSerializerSnapshot#restoreSerializer})
 * reads and writes that format, so Flink migrates such state on restore. Savepoints of release
 * 0.1.0 are migrated as well; a future format gets a new snapshot version.
 */
public final class SequenceStateSerializer extends TypeSerializer<SequenceState> {

    private static final long serialVersionUID = 1L;

    private static final int HAS_SEQUENCE_ID = 1;
    private static final int HAS_GAP_DEADLINE = 2;
    private static final int GAP_IN_SECONDS = 4;
    private static final int FLAG_BITS = 3;
    private static final int FORMAT_1_FLAGS = HAS_SEQUENCE_ID | HAS_GAP_DEADLINE;

    /** Far more than any model's hidden state or any sequence id; guards against corrupt input. */
    private static final int MAX_LENGTH = 1 << 24;

    /**
     * The format this serializer reads and writes: {@link SequenceStateSerializerSnapshot#FORMAT}.
     */
    private final int format;

    /** A serializer of the current format. */
    public SequenceStateSerializer() {
        this(SequenceStateSerializerSnapshot.currentFormat());
    }

    /** A serializer of {@code format}, an older one only to read state written in it. */
    SequenceStateSerializer(int format) {
        if (format < 1 || format > SequenceStateSerializerSnapshot.currentFormat()) {
            throw new IllegalArgumentException("no sequence state format " + format);
        }
        this.format = format;
    }

    /** The format this serializer reads and writes. */
    int format() {
        return format;
    }

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
        if (format == 1) {
            serializeFormat1(state, out);
            return;
        }
        float[] hidden = state.hidden == null ? new float[0] : state.hidden;
        long gap = state.gapDeadline - state.lastTimestamp;
        boolean hasDeadline = state.gapDeadline != Long.MIN_VALUE;
        boolean inSeconds = hasDeadline && gap % 1000 == 0;
        int flags =
                (state.sequenceId != null ? HAS_SEQUENCE_ID : 0)
                        | (hasDeadline ? HAS_GAP_DEADLINE : 0)
                        | (inSeconds ? GAP_IN_SECONDS : 0);
        writeUnsigned(out, ((long) hidden.length << FLAG_BITS) | flags);
        writeFloats(hidden, out);
        writeUnsigned(out, state.steps);
        writeSigned(out, state.modelVersion);
        writeSequenceId(state, out);
        writeSigned(out, state.firstTimestamp);
        writeSigned(out, state.lastTimestamp - state.firstTimestamp);
        if (hasDeadline) {
            writeSigned(out, inSeconds ? gap / 1000 : gap);
        }
    }

    @Override
    public SequenceState deserialize(DataInputView in) throws IOException {
        if (format == 1) {
            return deserializeFormat1(in);
        }
        long header = readUnsigned(in, "hidden state size", ((long) MAX_LENGTH << FLAG_BITS) | 7);
        int flags = (int) (header & 7);
        SequenceState state = new SequenceState();
        state.hidden = readFloats((int) (header >>> FLAG_BITS), in);
        state.steps = (int) readUnsigned(in, "steps", Integer.MAX_VALUE);
        state.modelVersion = readSigned(in);
        if ((flags & HAS_SEQUENCE_ID) != 0) {
            state.sequenceId = readSequenceId(in);
        }
        state.firstTimestamp = readSigned(in);
        state.lastTimestamp = state.firstTimestamp + readSigned(in);
        if ((flags & HAS_GAP_DEADLINE) != 0) {
            long gap = readSigned(in);
            state.gapDeadline =
                    state.lastTimestamp + ((flags & GAP_IN_SECONDS) != 0 ? gap * 1000 : gap);
        } else if ((flags & GAP_IN_SECONDS) != 0) {
            throw new IOException(
                    "sequence state: flags " + flags + " give seconds but no gap deadline");
        }
        return state;
    }

    /**
     * Format 1: a flags byte, the float count and floats, steps, model version, sequence id, the
     * first event time in 8 bytes, then the differences as in format 2 but the gap always in
     * milliseconds.
     */
    private static void serializeFormat1(SequenceState state, DataOutputView out)
            throws IOException {
        int flags =
                (state.sequenceId != null ? HAS_SEQUENCE_ID : 0)
                        | (state.gapDeadline != Long.MIN_VALUE ? HAS_GAP_DEADLINE : 0);
        out.writeByte(flags);
        float[] hidden = state.hidden == null ? new float[0] : state.hidden;
        writeUnsigned(out, hidden.length);
        writeFloats(hidden, out);
        writeUnsigned(out, state.steps);
        writeSigned(out, state.modelVersion);
        writeSequenceId(state, out);
        out.writeLong(state.firstTimestamp);
        writeSigned(out, state.lastTimestamp - state.firstTimestamp);
        if (state.gapDeadline != Long.MIN_VALUE) {
            writeSigned(out, state.gapDeadline - state.lastTimestamp);
        }
    }

    private static SequenceState deserializeFormat1(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        if ((flags & ~FORMAT_1_FLAGS) != 0) {
            throw new IOException(
                    "sequence state: unknown flags " + flags + " (format 1 knows bits 0 and 1)");
        }
        SequenceState state = new SequenceState();
        state.hidden = readFloats(length(in, "hidden state size"), in);
        state.steps = (int) readUnsigned(in, "steps", Integer.MAX_VALUE);
        state.modelVersion = readSigned(in);
        if ((flags & HAS_SEQUENCE_ID) != 0) {
            state.sequenceId = readSequenceId(in);
        }
        state.firstTimestamp = in.readLong();
        state.lastTimestamp = state.firstTimestamp + readSigned(in);
        if ((flags & HAS_GAP_DEADLINE) != 0) {
            state.gapDeadline = state.lastTimestamp + readSigned(in);
        }
        return state;
    }

    private static void writeFloats(float[] values, DataOutputView out) throws IOException {
        for (float value : values) {
            out.writeFloat(value);
        }
    }

    private static float[] readFloats(int count, DataInputView in) throws IOException {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }

    private static void writeSequenceId(SequenceState state, DataOutputView out)
            throws IOException {
        if (state.sequenceId != null) {
            byte[] utf8 = state.sequenceId.getBytes(StandardCharsets.UTF_8);
            writeUnsigned(out, utf8.length);
            out.write(utf8);
        }
    }

    private static String readSequenceId(DataInputView in) throws IOException {
        byte[] utf8 = new byte[length(in, "sequence id length")];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
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
        return other instanceof SequenceStateSerializer that && that.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * SequenceStateSerializer.class.hashCode() + format;
    }

    @Override
    public TypeSerializerSnapshot<SequenceState> snapshotConfiguration() {
        return new SequenceStateSerializerSnapshot(format);
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
