package io.rnnstream.stream.classify;

import io.rnnstream.stream.flink.KeyedBroadcastOperator;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a checkpoint records about {@link SequenceStateSerializer}: only its format version. On
 * restore it decides what Flink does with the state it finds:
 *
 * <ul>
 *   <li>the same format: used as is;
 *   <li>an older format of {@link SequenceStateSerializer}: migrated (Flink reads the state with a
 *       serializer of that format, {@link #restoreSerializer}, and writes it in the current one);
 *   <li>release 0.1.0's POJO state of {@link SequenceState}: migrated (Flink reads it with the POJO
 *       serializer restored from the checkpoint and writes it in this format; the removed key and
 *       model-name fields are skipped, both are in the state key);
 *   <li>a newer format, written by a later release: refused while the checkpoint is read, naming
 *       both versions, so a downgrade fails before it runs instead of misreading state;
 *   <li>anything else: incompatible, and Flink refuses to start the job.
 * </ul>
 */
public final class SequenceStateSerializerSnapshot
        implements TypeSerializerSnapshot<SequenceState> {

    /** Version of the format written by {@link SequenceStateSerializer}. */
    static final int FORMAT = 2;

    /**
     * The format of the state this snapshot describes: its serializer's, or the one read from a
     * checkpoint.
     */
    private int format;

    /**
     * {@link #FORMAT}, read where other classes need it: a method rather than the constant, which
     * the compiler would copy into them, so that this class alone decides the format.
     */
    static int currentFormat() {
        return FORMAT;
    }

    /** The snapshot Flink instantiates to read one from a checkpoint ({@link #readSnapshot}). */
    public SequenceStateSerializerSnapshot() {
        this(FORMAT);
    }

    SequenceStateSerializerSnapshot(int format) {
        this.format = format;
    }

    /**
     * The format of the described state. A serializer restored for an older format writes that
     * format too, so its snapshot must say so rather than claim the current one.
     */
    @Override
    public int getCurrentVersion() {
        return format;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
        // The version Flink writes in front of the snapshot is all there is to say.
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
            throws IOException {
        if (readVersion > FORMAT) {
            throw new IOException(
                    "the sequence state was written in format "
                            + readVersion
                            + " by a newer rnnstream release; this release reads formats up to "
                            + FORMAT
                            + ". Restore the savepoint with that release or a newer one.");
        }
        format = readVersion;
    }

    @Override
    public TypeSerializer<SequenceState> restoreSerializer() {
        return new SequenceStateSerializer(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<SequenceState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<SequenceState> oldSnapshot) {
        if (oldSnapshot instanceof SequenceStateSerializerSnapshot old) {
            // An older format is read by its own serializer (restoreSerializer) and rewritten.
            return old.format == FORMAT
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        if (KeyedBroadcastOperator.writtenByFlinksPojoSerializer(oldSnapshot)
                && oldSnapshot.restoreSerializer().createInstance() instanceof SequenceState) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
