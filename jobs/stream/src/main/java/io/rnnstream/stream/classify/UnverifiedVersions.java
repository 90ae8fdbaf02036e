package io.rnnstream.stream.classify;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.ModelAnnouncement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Accepted versions whose artifact this subtask has not verified yet. An announcement takes effect
 * when it arrives (its role is decided on what it says), while its artifact loads off the task
 * thread; keys that need it wait until it has verified. If it fails, it is refused then, and its
 * model's roles go back to what they were before it ({@link ModelVersions#withdraw}).
 *
 * <p>Broadcast state can change only while a broadcast element is processed, so a verification's
 * outcome enters it at the next announcement ({@link #flush}); until then broadcast state holds the
 * version as unverified ({@link #UNVERIFIED}, with the roles before it and the announcement's
 * record for a refusal's dead letter), and a restore verifies it again.
 */
final class UnverifiedVersions {

    /** Accepted, not yet verified versions by id; the value keeps what a refusal needs. */
    static final MapStateDescriptor<String, Pending> UNVERIFIED =
            new MapStateDescriptor<>(
                    "unverified-models", Types.STRING, TypeInformation.of(Pending.class));

    /** An unverified version: the roles of its model before it, and its announcement record. */
    public record Pending(ModelRoles before, RawRecord record) {}

    private final Map<ModelAnnouncement, Pending> pending = new LinkedHashMap<>();

    /** Outcomes not yet in broadcast state: true verified, false refused. */
    private final Map<ModelAnnouncement, Boolean> settled = new LinkedHashMap<>();

    /**
     * Refused versions by id, with the roles before each: an announcement made while one was
     * unverified names it in its own roles before, and the roles it falls back to skip it.
     */
    private final Map<String, Pending> refused = new HashMap<>();

    private boolean restored;

    boolean isEmpty() {
        return pending.isEmpty();
    }

    boolean contains(ModelAnnouncement announcement) {
        return pending.containsKey(announcement);
    }

    /** Reads the unverified versions from broadcast state, once per subtask life. */
    List<ModelAnnouncement> restore(
            ReadOnlyBroadcastState<String, Pending> state,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models)
            throws Exception {
        List<ModelAnnouncement> restoredVersions = new ArrayList<>();
        if (restored) {
            return restoredVersions;
        }
        restored = true;
        for (Map.Entry<String, Pending> entry : state.immutableEntries()) {
            ModelAnnouncement announcement = models.get(entry.getKey());
            if (announcement != null) {
                pending.put(announcement, entry.getValue());
                restoredVersions.add(announcement);
            }
        }
        return restoredVersions;
    }

    /** Records a version accepted before its artifact verified. */
    void add(
            ModelAnnouncement announcement,
            ModelRoles before,
            RawRecord record,
            BroadcastState<String, Pending> state)
            throws Exception {
        Pending entry = new Pending(before, record);
        pending.put(announcement, entry);
        state.put(announcement.id(), entry);
    }

    /** The unverified versions, in the order they were announced (a copy). */
    List<Map.Entry<ModelAnnouncement, Pending>> entries() {
        return new ArrayList<>(pending.entrySet());
    }

    /** Whether another version of {@code announcement}'s model waits for verification too. */
    boolean othersOfModel(ModelAnnouncement announcement) {
        for (ModelAnnouncement other : pending.keySet()) {
            if (!other.equals(announcement) && other.name().equals(announcement.name())) {
                return true;
            }
        }
        return false;
    }

    void verified(ModelAnnouncement announcement) {
        pending.remove(announcement);
        settled.put(announcement, true);
    }

    void refused(ModelAnnouncement announcement) {
        refused.put(announcement.id(), pending.remove(announcement));
        settled.put(announcement, false);
    }

    /**
     * {@code before} with each refused version replaced: as the serving version by the one that
     * served before it, as a shadow left out.
     */
    ModelRoles withoutRefused(String name, ModelRoles before) {
        if (refused.isEmpty()) {
            return before;
        }
        long serving = before.serving();
        Pending skipped;
        while ((skipped = refused.get(name + "#" + serving)) != null) {
            serving = skipped.before().serving();
        }
        long[] shadows =
                Arrays.stream(before.shadows())
                        .filter(shadow -> !refused.containsKey(name + "#" + shadow))
                        .toArray();
        return new ModelRoles(serving, shadows, before.shadowsAccepted());
    }

    /**
     * Writes the outcomes settled since the last call into broadcast state: a verified version is
     * no longer unverified; a refused one is no longer accepted, and its model's roles are what
     * {@code versions} holds now.
     */
    void flush(
            BroadcastState<String, Pending> state,
            BroadcastState<String, ModelAnnouncement> models,
            BroadcastState<String, ModelRoles> roles,
            ModelVersions versions)
            throws Exception {
        for (Map.Entry<ModelAnnouncement, Boolean> outcome : settled.entrySet()) {
            ModelAnnouncement announcement = outcome.getKey();
            state.remove(announcement.id());
            if (!outcome.getValue()) {
                models.remove(announcement.id());
                versions.write(announcement.name(), roles);
            }
        }
        settled.clear();
        // Refused versions leave broadcast state; the roles before each pending version must not
        // name them any more, so that a restore finds what to fall back to.
        for (Map.Entry<ModelAnnouncement, Pending> entry : pending.entrySet()) {
            ModelAnnouncement announcement = entry.getKey();
            ModelRoles before = entry.getValue().before();
            ModelRoles resolved = withoutRefused(announcement.name(), before);
            if (resolved != before) {
                Pending updated = new Pending(resolved, entry.getValue().record());
                entry.setValue(updated);
                state.put(announcement.id(), updated);
            }
        }
    }
}
