package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.registry.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The language-model versions one subtask has accepted, and their loaded form: decides each
 * announcement, loads and verifies the accepted versions on the loader threads of a {@link
 * ModelRegistry} (bounded like the classifier's), records each outcome, and tells the keyed
 * function which version a key needs and whether it is ready. Nothing here waits for a load.
 *
 * <p>A version is accepted when its announcement arrives, on what the announcement says (a newer
 * version of a language model of this job), so that every subtask, which sees the same
 * announcements in the same order, accepts the same versions, and so does a replay after a restore.
 * Only that decision goes into broadcast state, which Flink lets a function write only while it
 * processes a broadcast element, and which must be the same on every subtask. Whether the artifact
 * verified is learnt later, at a different moment on each subtask, so it never decides what is
 * accepted (a version number, once accepted, is not accepted again, refused or not): it decides
 * what serves. New sequences of a model run on its newest accepted version that has not been
 * refused, waiting while that one is not verified yet, and a refused version gives way to the one
 * accepted before it. Every subtask reaches the same outcome because it verifies the same artifact,
 * and no key is applied on a version before its outcome is known, so when a subtask learns it does
 * not change any result.
 *
 * <p>The outcomes are therefore kept out of broadcast state, whose copies must not depend on when
 * each subtask happened to learn something, and in checkpointed operator state of the function
 * ({@link #VERDICTS}, union list state, so that every subtask has all of them after a rescale): a
 * restore does not load again to learn what it knew, a version refused before the checkpoint stays
 * refused, and the refusal's dead letter, which one subtask emits, is emitted again only if it had
 * not been when the checkpoint was taken (its first emission then belongs to an aborted
 * transaction). Versions accepted before the checkpoint whose outcome was not known are verified
 * again.
 */
final class LanguageModelVersions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LanguageModelVersions.class);

    /**
     * Accepted versions: {@code name/version} to the announcement's JSON, and {@code latest:name}
     * to the newest accepted id, refused or not.
     */
    static final MapStateDescriptor<String, String> ACCEPTED =
            new MapStateDescriptor<>("accepted-language-models", Types.STRING, Types.STRING);

    /** The announcement record of each accepted version, which a refusal's dead letter names. */
    static final MapStateDescriptor<String, RawRecord> RECORDS =
            new MapStateDescriptor<>(
                    "language-model-announcements",
                    Types.STRING,
                    TypeInformation.of(RawRecord.class));

    /** The verification outcomes of the accepted versions (operator state, union on restore). */
    static final ListStateDescriptor<Verdict> VERDICTS =
            new ListStateDescriptor<>("language-model-verdicts", TypeInformation.of(Verdict.class));

    /**
     * Whether the artifact of the version {@code id} verified: {@code refusal} null if it did, else
     * why not; {@code reported} whether the refusal's dead letter has gone out.
     */
    public record Verdict(String id, String refusal, boolean reported) {}

    static final String LATEST = "latest:";

    /** Threads per subtask that load versions. */
    static final int LOADER_THREADS = 2;

    /** Orders versions as they were accepted within a model, and models by name. */
    private static final Comparator<ModelAnnouncement> BY_NAME_AND_VERSION =
            Comparator.comparing(ModelAnnouncement::name)
                    .thenComparingLong(ModelAnnouncement::version);

    private final ModelRegistry<LoadedLanguageModel> registry;
    private final Counter rejections;

    /** Whether this subtask reports refusals: every subtask sees each announcement. */
    private final boolean reporter;

    private final Map<String, NavigableMap<Long, ModelAnnouncement>> byName = new HashMap<>();
    private final Map<String, ModelAnnouncement> byId = new HashMap<>();

    /** Accepted versions whose artifact has not been judged yet; keys that need them wait. */
    private final NavigableSet<ModelAnnouncement> unverified = new TreeSet<>(BY_NAME_AND_VERSION);

    private final Set<String> verified = new HashSet<>();
    private final Map<String, String> refusals = new HashMap<>();
    private final Set<String> reported = new HashSet<>();

    /** Refusals a restore brought back unreported, which this subtask reports if it reports. */
    private final List<ModelAnnouncement> toReport = new ArrayList<>();

    /** The version new sequences start on, by model name; dropped when that may change. */
    private final Map<String, ModelAnnouncement> serving = new HashMap<>();

    private boolean indexed;

    /**
     * @param owner names the loader threads (task and subtask)
     * @param restored the verdicts of the checkpoint restored from, empty on a fresh start
     * @param rejections counts refused announcements
     * @param reporter whether this subtask emits the dead letter of a refusal
     */
    LanguageModelVersions(
            PredictionSettings settings,
            ModelLoader loader,
            String owner,
            Iterable<Verdict> restored,
            Counter rejections,
            boolean reporter) {
        this.registry =
                new ModelRegistry<>(
                        settings.modelCacheSize(),
                        settings.modelCachePerModel(),
                        LOADER_THREADS,
                        announcement -> LoadedLanguageModel.load(loader, announcement),
                        owner);
        this.rejections = rejections;
        this.reporter = reporter;
        for (Verdict verdict : restored) {
            // Subtasks judge the same artifacts; should they have disagreed (a store that failed
            // for one of them), the refusal holds, as it did for that subtask's keys.
            if (verdict.refusal() != null) {
                refusals.putIfAbsent(verdict.id(), verdict.refusal());
                if (verdict.reported()) {
                    reported.add(verdict.id());
                }
            } else {
                verified.add(verdict.id());
            }
        }
        verified.removeAll(refusals.keySet());
    }

    /** Whether {@link #settle} has anything to do: a first call, a finished load, a report. */
    boolean needsSettling() {
        return !indexed || !toReport.isEmpty() || registry.hasNews();
    }

    /**
     * Takes in the loads that finished since the last call and settles the versions that waited for
     * them: a verified one serves, a refused one gives way to the version before it, with a dead
     * letter. Cheap when nothing finished.
     */
    void settle(
            ReadOnlyBroadcastState<String, String> accepted,
            ReadOnlyBroadcastState<String, RawRecord> records,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        index(accepted, records);
        for (ModelAnnouncement refused : toReport) {
            report(refused, records, deadLetters);
        }
        toReport.clear();
        if (!registry.takeInCompleted() || unverified.isEmpty()) {
            return;
        }
        Iterator<ModelAnnouncement> waiting = unverified.iterator();
        while (waiting.hasNext()) {
            ModelAnnouncement candidate = waiting.next();
            ModelRegistry.Status status = registry.status(candidate);
            if (status == ModelRegistry.Status.READY) {
                waiting.remove();
                verified.add(candidate.id());
                LOG.info("{} verified and loaded", describe(candidate));
            } else if (status == ModelRegistry.Status.FAILED) {
                waiting.remove();
                refusals.put(candidate.id(), registry.failure(candidate));
                serving.remove(candidate.name());
                report(candidate, records, deadLetters);
            }
        }
    }

    /**
     * Decides an announced serving version of a language model of this job: accepted, and its load
     * requested, if it is newer than every version of its model accepted before; ignored if it is
     * the newest one again (the topic read again); else refused.
     */
    void announce(
            ModelAnnouncement announcement,
            RawRecord record,
            BroadcastState<String, String> accepted,
            BroadcastState<String, RawRecord> records,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        index(accepted, records);
        NavigableMap<Long, ModelAnnouncement> versions = byName.get(announcement.name());
        if (versions != null && !versions.isEmpty()) {
            ModelAnnouncement latest = versions.lastEntry().getValue();
            if (announcement.version() <= latest.version()) {
                if (!announcement.equals(latest)) {
                    reject(
                            describe(announcement)
                                    + " is not newer than the accepted version "
                                    + latest.version(),
                            record,
                            deadLetters);
                }
                return;
            }
        }
        accepted.put(
                announcement.id(),
                new String(AnnouncementParser.toJson(announcement), StandardCharsets.UTF_8));
        accepted.put(LATEST + announcement.name(), announcement.id());
        records.put(announcement.id(), record);
        add(announcement);
        unverified.add(announcement);
        serving.remove(announcement.name());
        registry.request(announcement);
        LOG.info(
                "{} accepted; it serves new sequences once its artifact has loaded and verified",
                describe(announcement));
    }

    /**
     * The version new sequences of {@code model} start on: its newest accepted version that has not
     * been refused (it may still be loading), or null if there is none.
     */
    ModelAnnouncement serving(String model) {
        ModelAnnouncement current = serving.get(model);
        if (current != null) {
            return current;
        }
        NavigableMap<Long, ModelAnnouncement> versions = byName.get(model);
        if (versions == null) {
            return null;
        }
        for (ModelAnnouncement candidate : versions.descendingMap().values()) {
            if (!refusals.containsKey(candidate.id())) {
                serving.put(model, candidate);
                return candidate;
            }
        }
        return null;
    }

    /** The accepted, not refused version {@code id} (as kept in a key's state), or null. */
    ModelAnnouncement usable(String id) {
        ModelAnnouncement announcement = byId.get(id);
        return announcement == null || refusals.containsKey(announcement.id())
                ? null
                : announcement;
    }

    /**
     * The loaded version, or null while it is not ready: not verified yet, or loading again after
     * it left the cache (the load is then requested). A version that verified before and now fails
     * to load fails the job, as no event of its sequences could be applied.
     */
    LoadedLanguageModel loaded(ModelAnnouncement announcement) {
        if (!unverified.isEmpty() && unverified.contains(announcement)) {
            return null;
        }
        LoadedLanguageModel model = registry.get(announcement);
        if (model == null) {
            String failure = registry.failure(announcement);
            if (failure != null) {
                throw new IllegalStateException(
                        describe(announcement)
                                + " verified before but cannot be loaded again: "
                                + failure);
            }
        }
        return model;
    }

    /** Refuses an announcement: logged, counted, and reported by one subtask as a dead letter. */
    void reject(String message, RawRecord record, Consumer<DeadLetter> deadLetters) {
        LOG.warn("language model announcement refused: {}", message);
        rejections.inc();
        if (reporter) {
            deadLetters.accept(new DeadLetter(DeadLetterReason.MODEL_REJECTED, message, record));
        }
    }

    /** The outcomes known to this subtask, for its checkpoint. */
    List<Verdict> verdicts() {
        List<Verdict> verdicts = new ArrayList<>(verified.size() + refusals.size());
        for (String id : verified) {
            verdicts.add(new Verdict(id, null, false));
        }
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String id = refusal.getKey();
            verdicts.add(new Verdict(id, refusal.getValue(), reported.contains(id)));
        }
        return verdicts;
    }

    /** Whether accepted versions still wait for their artifact's verdict on this subtask. */
    boolean awaitsVerification() {
        return !unverified.isEmpty();
    }

    /** Whether every load requested so far has finished, for tests. */
    boolean loadsFinished() {
        return registry.finished();
    }

    /** Versions loaded, for tests. */
    int loadedVersions() {
        return registry.size();
    }

    @Override
    public void close() {
        registry.close();
    }

    static String describe(ModelAnnouncement announcement) {
        return "language model " + announcement.name() + " version " + announcement.version();
    }

    /**
     * Indexes the accepted versions from broadcast state on first use. Those without a verdict load
     * again to be judged, except versions accepted by a release that loaded and verified each
     * version before accepting it, which kept no announcement record.
     */
    private void index(
            ReadOnlyBroadcastState<String, String> accepted,
            ReadOnlyBroadcastState<String, RawRecord> records)
            throws Exception {
        if (indexed) {
            return;
        }
        indexed = true;
        for (Map.Entry<String, String> entry : accepted.immutableEntries()) {
            if (!entry.getKey().startsWith(LATEST)) {
                add(AnnouncementParser.parse(entry.getValue().getBytes(StandardCharsets.UTF_8)));
            }
        }
        List<ModelAnnouncement> all = new ArrayList<>(byId.values());
        all.sort(BY_NAME_AND_VERSION);
        for (ModelAnnouncement announcement : all) {
            String id = announcement.id();
            if (refusals.containsKey(id)) {
                if (reporter && !reported.contains(id)) {
                    toReport.add(announcement);
                }
            } else if (!verified.contains(id)) {
                if (records.contains(id)) {
                    unverified.add(announcement);
                    registry.request(announcement);
                } else {
                    verified.add(id);
                }
            }
        }
    }

    private void add(ModelAnnouncement announcement) {
        byName.computeIfAbsent(announcement.name(), name -> new TreeMap<>())
                .put(announcement.version(), announcement);
        byId.put(announcement.id(), announcement);
    }

    private void report(
            ModelAnnouncement refused,
            ReadOnlyBroadcastState<String, RawRecord> records,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        String message = describe(refused) + ": " + refusals.get(refused.id());
        reject(message, records.get(refused.id()), deadLetters);
        if (reporter) {
            reported.add(refused.id());
        }
    }
}
