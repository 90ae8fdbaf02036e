package io.rnnstream.stream.classify;

import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Which version of each model serves new sequences and which run as its shadows, and the rules by
 * which announcements change that. The truth is broadcast state ({@link #ROLES} next to the
 * accepted versions), so every parallel instance decides alike and a restore brings it back; this
 * class keeps a per-subtask index of it, rebuilt after a restore, so the hot path does not scan
 * every version ever accepted.
 *
 * <p>Rules: a serving announcement of a newer version serves new sequences from now on (and retires
 * every shadow that is not newer than it, the promoted one included); an older one is refused
 * unless it is an explicit rollback. A shadow must be newer than the serving version, and a model
 * runs at most {@code maxShadows} of them. A retirement takes a running shadow out: it starts on no
 * further sequence (those in progress finish on it); the serving version cannot be retired, and the
 * retirement of a version that runs as no shadow changes nothing (a replay, or a shadow already
 * promoted or retired).
 */
final class ModelVersions {

    /** Serving and shadow versions by model name. */
    static final MapStateDescriptor<String, ModelRoles> ROLES =
            new MapStateDescriptor<>(
                    "model-roles", Types.STRING, TypeInformation.of(ModelRoles.class));

    /** What to do with an announcement; {@code refusal} is set only for {@link Kind#REFUSE}. */
    record Decision(Kind kind, String refusal) {
        enum Kind {
            ACCEPT,
            /** Nothing changes: a replay of what is already in effect. */
            IGNORE,
            REFUSE
        }

        static final Decision ACCEPT = new Decision(Kind.ACCEPT, null);
        static final Decision IGNORE = new Decision(Kind.IGNORE, null);

        static Decision refuse(String message) {
            return new Decision(Kind.REFUSE, message);
        }
    }

    private static final class Versions {
        ModelAnnouncement serving;
        final List<ModelAnnouncement> shadows = new ArrayList<>(2);
        long shadowsAccepted;
    }

    /** The roles of a model that has no version yet. */
    static final ModelRoles NO_ROLES = new ModelRoles(Long.MIN_VALUE, new long[0], 0);

    private final ModelAnnouncement initial;
    private final int maxShadows;

    /** Null until built from broadcast state. */
    private Map<String, Versions> byName;

    ModelVersions(ModelAnnouncement initial, int maxShadows) {
        this.initial = initial;
        this.maxShadows = maxShadows;
    }

    /** Builds the index from broadcast state once per subtask life (after open or a restore). */
    void index(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            ReadOnlyBroadcastState<String, ModelRoles> roles)
            throws Exception {
        if (byName != null) {
            return;
        }
        byName = new HashMap<>();
        if (initial != null) {
            versions(initial.name()).serving = initial;
        }
        // Before roles existed the newest accepted version served; roles, where present, decide.
        for (Map.Entry<String, ModelAnnouncement> entry : models.immutableEntries()) {
            ModelAnnouncement a = entry.getValue();
            Versions v = versions(a.name());
            if (v.serving == null || a.version() > v.serving.version()) {
                v.serving = a;
            }
        }
        for (Map.Entry<String, ModelRoles> entry : roles.immutableEntries()) {
            String name = entry.getKey();
            ModelRoles r = entry.getValue();
            Versions v = versions(name);
            v.serving = announcement(models, name, r.serving());
            v.shadows.clear();
            for (long shadow : r.shadows()) {
                v.shadows.add(announcement(models, name, shadow));
            }
            v.shadowsAccepted = r.shadowsAccepted();
        }
    }

    /** The version that serves new sequences of {@code name}, or null. */
    ModelAnnouncement serving(String name) {
        Versions v = byName.get(name);
        return v == null ? null : v.serving;
    }

    /** The shadows of {@code name} that start with its new sequences; empty if none. */
    List<ModelAnnouncement> shadows(String name) {
        Versions v = byName.get(name);
        return v == null ? List.of() : v.shadows;
    }

    /** Whether any key of {@code name} can hold shadow state (it has had a shadow). */
    boolean mayHaveShadowState(String name) {
        Versions v = byName.get(name);
        return v != null && v.shadowsAccepted > 0;
    }

    /**
     * Decides on an announcement before its artifact is loaded.
     *
     * @param known whether this very version was accepted before (with the same artifact)
     */
    Decision decide(RoleAnnouncement announced, boolean known) {
        ModelAnnouncement a = announced.version();
        Versions v = byName.get(a.name());
        ModelAnnouncement serving = v == null ? null : v.serving;
        if (announced.role() == ModelRole.RETIRED) {
            if (serving != null && a.version() == serving.version()) {
                return Decision.refuse(
                        describe(a)
                                + " serves and cannot be retired; promote or roll back to another"
                                + " version first");
            }
            return v != null && v.shadows.stream().anyMatch(s -> s.version() == a.version())
                    ? Decision.ACCEPT
                    : Decision.IGNORE;
        }
        if (announced.role() == ModelRole.SHADOW) {
            if (v != null && v.shadows.stream().anyMatch(s -> s.version() == a.version())) {
                return Decision.IGNORE;
            }
            if (serving == null) {
                return Decision.refuse(
                        describe(a) + " cannot run as a shadow: the model has no serving version");
            }
            if (a.version() <= serving.version()) {
                return known
                        ? Decision.IGNORE
                        : Decision.refuse(
                                describe(a)
                                        + " cannot run as a shadow: it is not newer than the"
                                        + " serving version "
                                        + serving.version());
            }
            if (v.shadows.size() >= maxShadows) {
                return Decision.refuse(
                        describe(a)
                                + " cannot run as a shadow: the model already runs "
                                + v.shadows.size()
                                + " (versions "
                                + v.shadows.stream().map(ModelAnnouncement::version).toList()
                                + "), the most shadow.max-per-model allows");
            }
            return Decision.ACCEPT;
        }
        if (serving != null && a.version() == serving.version()) {
            return Decision.IGNORE;
        }
        if (serving != null && a.version() < serving.version() && !announced.rollback()) {
            return known
                    ? Decision.IGNORE
                    : Decision.refuse(
                            describe(a)
                                    + " is not newer than the version in service, "
                                    + serving.version()
                                    + "; only `rnnstream rollback --to "
                                    + a.version()
                                    + "` serves an older version");
        }
        return Decision.ACCEPT;
    }

    /** Puts an accepted announcement into effect, in the index and in broadcast state. */
    void apply(RoleAnnouncement announced, BroadcastState<String, ModelRoles> roles)
            throws Exception {
        ModelAnnouncement a = announced.version();
        Versions v = versions(a.name());
        if (announced.role() == ModelRole.SHADOW) {
            v.shadows.add(a);
            v.shadowsAccepted++;
        } else if (announced.role() == ModelRole.RETIRED) {
            v.shadows.removeIf(s -> s.version() == a.version());
        } else {
            v.serving = a;
            // A promoted shadow now serves; older shadows could only be promoted by a rollback.
            v.shadows.removeIf(s -> s.version() <= a.version());
        }
        roles.put(
                a.name(),
                new ModelRoles(
                        v.serving.version(),
                        v.shadows.stream().mapToLong(ModelAnnouncement::version).toArray(),
                        v.shadowsAccepted));
    }

    /** The roles of {@code name} as they stand, or {@link #NO_ROLES} before its first version. */
    ModelRoles roles(String name) {
        Versions v = byName.get(name);
        if (v == null || v.serving == null) {
            return NO_ROLES;
        }
        return new ModelRoles(
                v.serving.version(),
                v.shadows.stream().mapToLong(ModelAnnouncement::version).toArray(),
                v.shadowsAccepted);
    }

    /**
     * Takes {@code refused}, whose artifact failed verification, out of effect. With {@code
     * exactly}, {@code name}'s roles go back to {@code before} (what they were when it was
     * announced, nothing having changed since); otherwise only {@code refused} goes: as the serving
     * version the one that served before it takes over again, as a shadow it stops.
     */
    void withdraw(
            ModelAnnouncement refused,
            ModelRoles before,
            boolean exactly,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models)
            throws Exception {
        Versions v = versions(refused.name());
        if (exactly) {
            v.shadows.clear();
            for (long shadow : before.shadows()) {
                v.shadows.add(announcement(models, refused.name(), shadow));
            }
        } else {
            v.shadows.removeIf(s -> s.equals(refused));
        }
        if (exactly || refused.equals(v.serving)) {
            v.serving =
                    before.serving() == NO_ROLES.serving()
                            ? null
                            : announcement(models, refused.name(), before.serving());
        }
    }

    /**
     * Puts {@code name}'s roles, as they stand, into broadcast state; a model left without any
     * version (its first was refused) leaves it.
     */
    void write(String name, BroadcastState<String, ModelRoles> roles) throws Exception {
        ModelRoles now = roles(name);
        if (now == NO_ROLES) {
            roles.remove(name);
        } else {
            roles.put(name, now);
        }
    }

    private Versions versions(String name) {
        return byName.computeIfAbsent(name, n -> new Versions());
    }

    private ModelAnnouncement announcement(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models, String name, long version)
            throws Exception {
        ModelAnnouncement a = models.get(name + "#" + version);
        if (a == null
                && initial != null
                && initial.name().equals(name)
                && initial.version() == version) {
            return initial;
        }
        if (a == null) {
            throw new IllegalStateException(
                    "model " + name + " version " + version + " has a role but was not accepted");
        }
        return a;
    }

    static String describe(ModelAnnouncement announcement) {
        return "model " + announcement.name() + " version " + announcement.version();
    }
}
