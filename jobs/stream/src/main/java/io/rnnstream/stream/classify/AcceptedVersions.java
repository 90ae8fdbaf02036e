package io.rnnstream.stream.classify;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterCounters;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.stream.registry.ModelRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions one classifier subtask has accepted, and their loaded form: decides each
 * announcement ({@link ModelVersions}' rules), starts its load in the {@link ModelRegistry},
 * settles it once loaded (verified and fitting the version in service, or withdrawn with a {@code
 * model-rejected} dead letter, {@link UnverifiedVersions}), and tells the keyed function whether
 * the versions a key needs are ready. Nothing here waits for a load.
 *
 * <p>The broadcast states are passed in by the caller on each call: the function reads them from
 * its contexts, the operator from its state backend when it settles outside any key.
 */
final class AcceptedVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptedVersions.class);

    /** Threads per subtask that load versions. */
    static final int LOADER_THREADS = 2;

    private final ClassifierSettings settings;
    private final ModelRegistry<LoadedModel> registry;
    private final UnverifiedVersions unverified = new UnverifiedVersions();
    private final ModelVersions roles;
    private final Counter rejections;
    private final DeadLetterCounters deadLetterCounters;

    /** Whether this subtask reports refusals: every subtask sees each announcement. */
    private final boolean reporter;

    private long servedVersion;

    /**
     * @param owner names the loader threads (task and subtask)
     * @param rejections counts refused announcements
     * @param deadLetterCounters counts the dead letters of refusals by reason
     * @param reporter whether this subtask emits the dead letter of a refusal
     */
    AcceptedVersions(
            ClassifierSettings settings,
            ModelLoader loader,
            String owner,
            Counter rejections,
            DeadLetterCounters deadLetterCounters,
            boolean reporter) {
        this.settings = settings;
        this.registry =
                new ModelRegistry<>(
                        settings.modelCacheSize(),
                        settings.modelCachePerModel(),
                        LOADER_THREADS,
                        announcement -> LoadedModel.load(loader, announcement),
                        owner);
        this.roles = new ModelVersions(settings.initialModel(), settings.maxShadows());
        this.rejections = rejections;
        this.deadLetterCounters = deadLetterCounters;
        this.reporter = reporter;
    }

    /**
     * Loads the initial model, if there is one, on the calling thread: the job should fail at
     * start-up, with the loader's message, rather than dead-letter every event. Called from {@code
     * open()}, before the task processes any record.
     */
    void loadInitial() throws Exception {
        if (settings.initialModel() != null) {
            registry.loadPinned(settings.initialModel());
            servedVersion = settings.initialModel().version();
        }
    }

    /** Serving and shadow versions by model name, indexed by {@link #index}. */
    ModelVersions roles() {
        return roles;
    }

    /**
     * The version serving new sequences of the default model, for the {@code modelVersion} gauge.
     */
    long servedVersion() {
        return servedVersion;
    }

    /**
     * Indexes the versions from broadcast state on first use; versions a restore brings back
     * unverified load again.
     */
    void index(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            ReadOnlyBroadcastState<String, ModelRoles> roleState,
            ReadOnlyBroadcastState<String, UnverifiedVersions.Pending> pending)
            throws Exception {
        roles.index(models, roleState);
        for (ModelAnnouncement restored : unverified.restore(pending, models)) {
            registry.request(restored);
        }
    }

    /** Decides an announcement record; a refusal goes to {@code deadLetters} (counted, logged). */
    void announce(
            RawRecord record,
            BroadcastState<String, ModelAnnouncement> models,
            BroadcastState<String, ModelRoles> roleState,
            BroadcastState<String, UnverifiedVersions.Pending> pending,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        RoleAnnouncement announced;
        try {
            announced = AnnouncementParser.parseRole(record.value());
        } catch (IllegalArgumentException e) {
            reject(deadLetters, e.getMessage(), record);
            return;
        }
        settle(models, roleState, pending, deadLetters);
        // Verifications settled since the last announcement enter broadcast state only here.
        unverified.flush(pending, models, roleState, roles);
        ModelAnnouncement announcement = announced.version();
        ModelAnnouncement known = models.get(announcement.id());
        if (known != null && !known.equals(announcement)) {
            reject(
                    deadLetters,
                    ModelVersions.describe(announcement)
                            + " was accepted before with another artifact ("
                            + known.uri()
                            + ")",
                    record);
            return;
        }
        ModelVersions.Decision decision = roles.decide(announced, known != null);
        if (decision.kind() == ModelVersions.Decision.Kind.IGNORE) {
            return; // a replay of what is in effect, e.g. the compacted topic read again
        }
        if (decision.kind() == ModelVersions.Decision.Kind.REFUSE) {
            reject(deadLetters, decision.refusal(), record);
            return;
        }
        if (known == null) {
            // In effect from now on, as announced; the keys that need it wait while it loads, and
            // if it does not verify it is withdrawn then, with a dead letter.
            unverified.add(announcement, roles.roles(announcement.name()), record, pending);
            registry.request(announcement);
        }
        models.put(announcement.id(), announcement);
        roles.apply(announced, roleState);
        if (announcement.name().equals(settings.defaultModel())) {
            servedVersion = roles.serving(announcement.name()).version();
        }
        LOG.info(
                "model {} version {} accepted from {} as {}{}",
                announcement.name(),
                announcement.version(),
                announcement.uri(),
                announced.role().code(),
                announced.rollback() ? " (rollback)" : "");
    }

    /** Whether loads finished, or the cache must evict, since the last call: then settle. */
    boolean hasNews() {
        return registry.hasNews();
    }

    /** Whether announced versions still wait for verification on this subtask. */
    boolean awaitsVerification() {
        return !unverified.isEmpty();
    }

    /**
     * Takes in the loads that finished since the last call and settles the versions that waited for
     * them: a verified one serves, a refused one is withdrawn, with a dead letter.
     */
    void settle(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            ReadOnlyBroadcastState<String, ModelRoles> roleState,
            ReadOnlyBroadcastState<String, UnverifiedVersions.Pending> pending,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        index(models, roleState, pending);
        if (!registry.takeInCompleted() || unverified.isEmpty()) {
            return;
        }
        // A candidate can wait for an earlier one of its model; settle until nothing changes.
        boolean settledOne = true;
        while (settledOne) {
            settledOne = false;
            for (Map.Entry<ModelAnnouncement, UnverifiedVersions.Pending> entry :
                    unverified.entries()) {
                settledOne |= settle(entry.getKey(), entry.getValue(), models, deadLetters);
            }
        }
    }

    /**
     * Whether {@code announcement} is loaded and verified; a miss requests its load. A version that
     * loaded before (it served sequences) and now fails to load again fails the job, as no event of
     * it could be applied.
     */
    boolean ready(ModelAnnouncement announcement) {
        if (announcement == null) {
            return true; // no version: the events are dead-lettered
        }
        if (registry.get(announcement) == null) {
            String failure = registry.failure(announcement);
            if (failure != null && !unverified.contains(announcement)) {
                throw new IllegalStateException(
                        ModelVersions.describe(announcement)
                                + " cannot be loaded again: "
                                + failure);
            }
            return false;
        }
        return unverified.isEmpty() || !unverified.contains(announcement);
    }

    /** The loaded version, or null while it loads (its load then requested). */
    LoadedModel loadedOrNull(ModelAnnouncement announcement) {
        return registry.get(announcement);
    }

    /** A version the caller found {@link #ready} in this call. */
    LoadedModel model(ModelAnnouncement announcement) {
        LoadedModel model = registry.get(announcement);
        if (model == null) {
            throw new IllegalStateException(
                    ModelVersions.describe(announcement)
                            + " is not loaded although it was found ready");
        }
        return model;
    }

    /**
     * The announcement of {@code name}'s {@code version}: mostly the serving version or a shadow,
     * found without building its id.
     */
    ModelAnnouncement version(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models, String name, long version)
            throws Exception {
        ModelAnnouncement serving = roles.serving(name);
        if (serving != null && serving.version() == version) {
            return serving;
        }
        List<ModelAnnouncement> shadows = roles.shadows(name);
        for (int i = 0; i < shadows.size(); i++) {
            if (shadows.get(i).version() == version) {
                return shadows.get(i);
            }
        }
        ModelAnnouncement announcement = models.get(name + "#" + version);
        if (announcement != null) {
            return announcement;
        }
        ModelAnnouncement initial = settings.initialModel();
        if (initial != null && initial.name().equals(name) && initial.version() == version) {
            return initial;
        }
        throw new IllegalStateException(
                "model " + name + " version " + version + " of an open sequence is not known");
    }

    /** Versions loaded, the initial model included, for tests. */
    int loaded() {
        return registry.size();
    }

    /** Whether every load requested so far has finished, for tests. */
    boolean loadsFinished() {
        return registry.finished();
    }

    @Override
    public void close() {
        registry.close();
    }

    /** Settles one unverified version if it can be judged; returns whether it could. */
    private boolean settle(
            ModelAnnouncement candidate,
            UnverifiedVersions.Pending pending,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        ModelRoles before = unverified.withoutRefused(candidate.name(), pending.before());
        String refusal = verification(candidate, before, models);
        if (refusal == null) {
            return false;
        }
        if (refusal.isEmpty()) {
            unverified.verified(candidate);
            LOG.info("{} verified and loaded", ModelVersions.describe(candidate));
            return true;
        }
        roles.withdraw(candidate, before, !unverified.othersOfModel(candidate), models);
        unverified.refused(candidate);
        registry.forget(candidate);
        ModelAnnouncement serving = roles.serving(candidate.name());
        if (candidate.name().equals(settings.defaultModel()) && serving != null) {
            servedVersion = serving.version();
        }
        reject(
                deadLetters,
                ModelVersions.describe(candidate) + " refused: " + refusal,
                pending.record());
        return true;
    }

    /**
     * Null while {@code candidate} cannot be judged yet (it, or the version it must fit, loads);
     * empty when it verified and fits; else why it is refused.
     */
    private String verification(
            ModelAnnouncement candidate,
            ModelRoles before,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models)
            throws Exception {
        switch (registry.status(candidate)) {
            case FAILED:
                return registry.failure(candidate);
            case READY:
                break;
            default:
                registry.request(candidate);
                return null;
        }
        if (before.serving() == ModelVersions.NO_ROLES.serving()
                || before.serving() == candidate.version()) {
            return "";
        }
        ModelAnnouncement reference = version(models, candidate.name(), before.serving());
        if (unverified.contains(reference)) {
            return null; // it must verify first: the candidate must fit what then serves
        }
        LoadedModel inService = registry.get(reference);
        if (inService == null) {
            String failure = registry.failure(reference);
            return failure == null
                    ? null
                    : "the version in service cannot be loaded to compare with: " + failure;
        }
        try {
            ModelLoader.checkFits(inService.spec(), registry.get(candidate).spec());
            return "";
        } catch (ArtifactException e) {
            return e.getMessage();
        }
    }

    private void reject(Consumer<DeadLetter> deadLetters, String message, RawRecord record) {
        LOG.warn("model announcement refused, the current version keeps serving: {}", message);
        rejections.inc();
        if (reporter) {
            // Every subtask sees the announcement; one dead letter is enough.
            DeadLetter letter = new DeadLetter(DeadLetterReason.MODEL_REJECTED, message, record);
            deadLetterCounters.count(letter);
            deadLetters.accept(letter);
        }
    }
}
