package io.rnnstream.stream.classify;

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
    static final int FORMAT = 1;

    /**
     * The format of the state this snapshot describes: {@link #FORMAT} unless read from a
     * checkpoint.
     */
    private int format = FORMAT;

    @Override
    public int getCurrentVersion() {
        return FORMAT;
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
        return new SequenceStateSerializer();
    }

    @Override
    public TypeSerializerSchemaCompatibility<SequenceState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<SequenceState> oldSnapshot) {
        if (oldSnapshot instanceof SequenceStateSerializerSnapshot old) {
            // Only format 1 exists; an older format would be read by its own serializer here.
            return old.format == FORMAT
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        if (SequenceClassifierOperator.writtenByFlinksPojoSerializer(oldSnapshot)
                && oldSnapshot.restoreSerializer().createInstance() instanceof SequenceState) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
