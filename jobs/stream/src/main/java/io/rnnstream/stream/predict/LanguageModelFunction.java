package io.rnnstream.stream.predict;

import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.core.serving.TopTokens;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterCounters;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Serves language models per key: each event of a key advances the key's recurrent state (Flink
 * keyed state, one per language model and key) by its symbols and yields a {@link Prediction}: the
 * event's surprise given the key's history and the most likely next symbols. An event with {@code
 * continue} also gets that many generated symbols, drawn from the key's state without changing it.
 *
 * <p>A key's events are applied in the order they arrive, which is the order of their partition:
 * producers key records by entity so that one key's events stay in order. A new sequence id (or the
 * end of the previous sequence) starts from a fresh state on the model's serving version, its
 * newest accepted version that has not been refused; a sequence in progress finishes on the version
 * it started on, as classifications do.
 *
 * <p>Versions arrive as announcements on the broadcast input. One that names a language model of
 * this job is accepted on arrival if it is a serving version newer than the accepted ones, and
 * refused (dead letter) otherwise; its artifact is then read, verified and warmed up on the loader
 * threads of a bounded cache ({@link LanguageModelVersions}), never on the task thread, and if it
 * does not verify it is refused then, with the same dead letter, and the version accepted before it
 * keeps serving. Acceptance is decided on what announcements say, so that every subtask and every
 * replay decides alike; see {@link LanguageModelVersions} for how the verification outcomes are
 * kept consistent across subtasks and restores.
 *
 * <p>An event whose version is not ready (it loads: just announced, evicted from the cache, or
 * after a restore), and every later event of its key, waits in keyed state and is applied in order
 * once the version is, by a processing-time retry; keys of ready versions go on meanwhile. Events
 * that come before their model has any version (a backlog read at start-up) wait the same way, at
 * most {@link #MAX_PENDING_EVENTS} per key; events waiting for a version that loads are not
 * bounded, since the load ends.
 */
public final class LanguageModelFunction
        extends KeyedBroadcastProcessFunction<String, Event, RawRecord, Prediction>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /**
     * Accepted versions: {@code name/version} to the announcement's JSON, and {@code latest:name}
     * to the newest accepted id.
     */
    public static final MapStateDescriptor<String, String> ACCEPTED_LANGUAGE_MODELS =
            LanguageModelVersions.ACCEPTED;

    /** The broadcast states of the function, which its operator must be given. */
    public static final List<MapStateDescriptor<?, ?>> BROADCAST_STATES =
            List.of(ACCEPTED_LANGUAGE_MODELS, LanguageModelVersions.RECORDS);

    private final PredictionSettings settings;
    private final ModelLoader loader;

    /** The most events a key holds while its model has no version. */
    static final int MAX_PENDING_EVENTS = 10_000;

    /**
     * How often a key with waiting events looks for its version. Retries fall on multiples of it,
     * so a key has at most one retry due at a time however often it is asked to look again.
     */
    static final long RETRY_INTERVAL_MS = 200;

    private transient ValueState<LanguageModelState> state;
    private transient ListState<Event> pending;
    private transient ValueState<Integer> pendingCount;
    private transient ListState<LanguageModelVersions.Verdict> verdicts;
    private transient List<LanguageModelVersions.Verdict> restoredVerdicts;
    private transient LanguageModelVersions versions;
    private transient Counter predictions;
    private transient Counter symbols;
    private transient Counter continuations;
    private transient DeadLetterCounters deadLetterCounters;

    public LanguageModelFunction(PredictionSettings settings, ModelLoader loader) {
        this.settings = settings;
        this.loader = loader;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        verdicts =
                context.getOperatorStateStore().getUnionListState(LanguageModelVersions.VERDICTS);
        restoredVerdicts = new ArrayList<>();
        if (context.isRestored()) {
            verdicts.get().forEach(restoredVerdicts::add);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        verdicts.update(versions.verdicts());
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<LanguageModelState> descriptor =
                new ValueStateDescriptor<>(
                        "language-model-state", TypeInformation.of(LanguageModelState.class));
        descriptor.enableTimeToLive(ttl());
        state = getRuntimeContext().getState(descriptor);
        StateTtlConfig ttl = ttl();
        ListStateDescriptor<Event> pendingDescriptor =
                new ListStateDescriptor<>(
                        "language-model-pending", TypeInformation.of(Event.class));
        pendingDescriptor.enableTimeToLive(ttl);
        pending = getRuntimeContext().getListState(pendingDescriptor);
        ValueStateDescriptor<Integer> countDescriptor =
                new ValueStateDescriptor<>("language-model-pending-count", Types.INT);
        countDescriptor.enableTimeToLive(ttl);
        pendingCount = getRuntimeContext().getState(countDescriptor);
        deadLetterCounters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("languageModels");
        predictions = metrics.counter("predictions");
        symbols = metrics.counter("symbols");
        continuations = metrics.counter("continuations");
        TaskInfo task = getRuntimeContext().getTaskInfo();
        versions =
                new LanguageModelVersions(
                        settings,
                        loader,
                        task.getTaskNameWithSubtasks(),
                        restoredVerdicts == null ? List.of() : restoredVerdicts,
                        metrics.counter("modelRejections"),
                        task.getIndexOfThisSubtask() == 0);
        restoredVerdicts = null;
    }

    @Override
    public void close() throws Exception {
        if (versions != null) {
            versions.close();
        }
        super.close();
    }

    private StateTtlConfig ttl() {
        return StateTtlConfig.newBuilder(settings.stateTtl())
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    @Override
    public void processBroadcastElement(RawRecord record, Context ctx, Collector<Prediction> out)
            throws Exception {
        Consumer<DeadLetter> deadLetters =
                counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
        BroadcastState<String, String> accepted = ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS);
        BroadcastState<String, RawRecord> records =
                ctx.getBroadcastState(LanguageModelVersions.RECORDS);
        versions.settle(accepted, records, deadLetters);
        RoleAnnouncement announced;
        try {
            announced = AnnouncementParser.parseRole(record.value());
        } catch (IllegalArgumentException e) {
            // The classifier path reports unreadable announcements; one dead letter is enough.
            return;
        }
        ModelAnnouncement announcement = announced.version();
        if (!settings.models().contains(announcement.name())) {
            return;
        }
        String unsupported = unsupportedRole(announced);
        if (unsupported != null) {
            versions.reject(
                    LanguageModelVersions.describe(announcement) + ": " + unsupported,
                    record,
                    deadLetters);
            return;
        }
        versions.announce(announcement, record, accepted, records, deadLetters);
    }

    @Override
    public void processElement(Event event, ReadOnlyContext ctx, Collector<Prediction> out)
            throws Exception {
        Consumer<DeadLetter> deadLetters =
                counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
        settleIfNeeded(ctx, deadLetters);
        if (pendingCount.value() == null && applyIfReady(event, deadLetters, out)) {
            return;
        }
        // Its version is not ready, or earlier events of the key wait: they go first, in order,
        // at the key's next retry, which reads the waiting events once for all that came since.
        if (!hold(event, ctx.timerService())) {
            deadLetter(
                    deadLetters,
                    DeadLetterReason.UNKNOWN_MODEL,
                    "no version of language model '"
                            + event.model()
                            + "' has been accepted and "
                            + MAX_PENDING_EVENTS
                            + " events of this key already wait for one",
                    event);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Prediction> out)
            throws Exception {
        Consumer<DeadLetter> deadLetters =
                counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
        settleIfNeeded(ctx, deadLetters);
        drain(ctx.timerService(), deadLetters, out);
    }

    /** Takes in finished loads, if any, before a key looks for its version. */
    private void settleIfNeeded(ReadOnlyContext ctx, Consumer<DeadLetter> deadLetters)
            throws Exception {
        if (versions.needsSettling()) {
            versions.settle(
                    ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS),
                    ctx.getBroadcastState(LanguageModelVersions.RECORDS),
                    deadLetters);
        }
    }

    /**
     * Applies the key's waiting events, in order, up to the first whose version is not ready; that
     * one and the rest wait for the next retry.
     */
    private void drain(
            TimerService timers, Consumer<DeadLetter> deadLetters, Collector<Prediction> out)
            throws Exception {
        if (pendingCount.value() == null) {
            return;
        }
        List<Event> waiting = new ArrayList<>();
        pending.get().forEach(waiting::add);
        int done = 0;
        while (done < waiting.size() && applyIfReady(waiting.get(done), deadLetters, out)) {
            done++;
        }
        if (done == waiting.size()) {
            pending.clear();
            pendingCount.clear();
            return;
        }
        if (done > 0) {
            pending.update(new ArrayList<>(waiting.subList(done, waiting.size())));
            pendingCount.update(waiting.size() - done);
        }
        retryLater(timers);
    }

    /**
     * Keeps {@code event} behind the key's waiting events until its version is ready; false when
     * its model has no version and the key already holds {@link #MAX_PENDING_EVENTS}.
     */
    private boolean hold(Event event, TimerService timers) throws Exception {
        Integer count = pendingCount.value();
        int held = count == null ? 0 : count;
        if (held >= MAX_PENDING_EVENTS && versions.serving(event.model()) == null) {
            return false;
        }
        if (held == 0) {
            retryLater(timers);
        }
        pending.add(event);
        pendingCount.update(held + 1);
        return true;
    }

    /** Registers the key's next retry, on the next multiple of {@link #RETRY_INTERVAL_MS}. */
    private static void retryLater(TimerService timers) {
        long now = timers.currentProcessingTime();
        timers.registerProcessingTimeTimer((now / RETRY_INTERVAL_MS + 1) * RETRY_INTERVAL_MS);
    }

    /**
     * Applies one event of the current key if the version it needs is ready (its sequence's
     * version, or the serving version for a new sequence); returns whether it did.
     */
    private boolean applyIfReady(
            Event event, Consumer<DeadLetter> deadLetters, Collector<Prediction> out)
            throws Exception {
        LanguageModelState current = state.value();
        ModelAnnouncement version = null;
        if (current != null && Objects.equals(current.sequenceId, event.sequenceId())) {
            version = versions.usable(current.version);
        }
        if (version == null) {
            // A new sequence, or one whose version was refused: start on the serving version.
            current = null;
            version = versions.serving(event.model());
            if (version == null) {
                return false;
            }
        }
        LoadedLanguageModel model = versions.loaded(version);
        if (model == null) {
            return false;
        }
        if (current == null) {
            current =
                    new LanguageModelState(
                            event.sequenceId(),
                            version.id(),
                            model.model().initialState().values());
        }
        handle(event, current, model, deadLetters, out);
        return true;
    }

    /**
     * Applies one event of the current key on {@code model}, from the key's state {@code current}.
     */
    private void handle(
            Event event,
            LanguageModelState current,
            LoadedLanguageModel model,
            Consumer<DeadLetter> deadLetters,
            Collector<Prediction> out)
            throws Exception {
        int[] ids;
        try {
            ids = symbols(model.model(), event);
        } catch (IllegalArgumentException e) {
            deadLetter(deadLetters, reasonFor(event), e.getMessage(), event);
            return;
        }
        if (event.continuation() > settings.maxContinuation()) {
            deadLetter(
                    deadLetters,
                    DeadLetterReason.OVERSIZED,
                    "field continue: "
                            + event.continuation()
                            + " symbols, predictions.max-continuation is "
                            + settings.maxContinuation(),
                    event);
            return;
        }

        LanguageModel languageModel = model.model();
        // A copy: the heap state backend snapshots asynchronously and may still be writing the
        // object that state.value() returned, so state objects are replaced, never changed.
        RecurrentState recurrent = new RecurrentState(current.values.clone(), current.steps);
        float[] probabilities = new float[languageModel.size()];
        double surprise = 0;
        // The previous event of the sequence may have left the distribution's normalizer at this
        // state; every later symbol of this event needs the softmax.
        double logNormalizer = current.nextLogNormalizer;
        for (int id : ids) {
            if (Double.isNaN(logNormalizer)) {
                logNormalizer = model.stepper().probabilities(recurrent, probabilities);
            }
            surprise += LanguageModel.surprise(model.stepper(), recurrent, logNormalizer, id);
            languageModel.advance(model.stepper(), recurrent, id);
            logNormalizer = Double.NaN;
        }
        symbols.inc(ids.length);

        String continuation = null;
        if (event.continuation() > 0) {
            TokenSampler sampler =
                    new TokenSampler(
                            settings.temperature(),
                            0,
                            ContinuationSeed.of(
                                    event.key(), event.sequenceId(), recurrent.steps()));
            continuation =
                    model.generator()
                            .text(
                                    model.generator()
                                            .continueFrom(
                                                    model.stepper(),
                                                    recurrent,
                                                    event.continuation(),
                                                    sampler));
            continuations.inc();
        }
        boolean written =
                continuation != null
                        || settings.surpriseThreshold() == 0
                        || surprise > settings.surpriseThreshold();
        // The next symbol's distribution only for an event that is written: in anomaly mode most
        // are not, and this is a softmax over the whole vocabulary. Its normalizer is kept for the
        // next event's surprise.
        double nextLogNormalizer =
                written ? model.stepper().probabilities(recurrent, probabilities) : Double.NaN;
        current = current.advancedTo(recurrent, nextLogNormalizer);
        if (event.end()) {
            state.clear();
        } else {
            state.update(current);
        }
        if (written) {
            List<TopTokens.Candidate> top = TopTokens.of(probabilities, settings.topK());
            String[] next = new String[top.size()];
            float[] nextProbabilities = new float[top.size()];
            for (int i = 0; i < top.size(); i++) {
                next[i] = languageModel.symbols().get(top.get(i).id());
                nextProbabilities[i] = top.get(i).probability();
            }
            out.collect(
                    new Prediction(
                            event.key(),
                            event.sequenceId(),
                            event.model(),
                            model.announcement().version(),
                            event.timestamp(),
                            current.steps,
                            ids.length,
                            surprise,
                            next,
                            nextProbabilities,
                            continuation));
            predictions.inc();
        }
    }

    /** The symbol ids of the event's input for this model. */
    private static int[] symbols(LanguageModel model, Event event) {
        if (event.features() != null) {
            throw new IllegalArgumentException(
                    "language model '" + event.model() + "' reads text, not features");
        }
        if (model.unit() == LanguageModel.Unit.CHARACTER) {
            if (event.text() == null) {
                if (event.tokens() != null) {
                    throw new IllegalArgumentException(
                            "character language model '"
                                    + event.model()
                                    + "' reads the text field, not token");
                }
                return new int[0];
            }
            return model.encode(event.text(), "field text:");
        }
        if (event.tokens() == null) {
            return new int[0];
        }
        if (event.tokens().length == 0) {
            throw new IllegalArgumentException("field text: contains no word");
        }
        return model.encodeWords(List.of(event.tokens()));
    }

    private static DeadLetterReason reasonFor(Event event) {
        return event.features() != null || (event.text() == null && event.tokens() != null)
                ? DeadLetterReason.WRONG_INPUT_KIND
                : DeadLetterReason.INVALID_FIELD;
    }

    /**
     * Why the language-model path cannot follow {@code announced}, or null: it serves the newest
     * version of each model to every key and keeps no second state per key, so a shadow, a
     * retirement or a rollback would otherwise be taken as a new serving version (or refused as not
     * newer, which misleads).
     */
    private static String unsupportedRole(RoleAnnouncement announced) {
        if (announced.rollback()) {
            return "a language model is not rolled back; announce the older artifact again as a"
                    + " new version";
        }
        if (announced.role() != ModelRole.SERVING) {
            return "announced as "
                    + announced.role().code()
                    + ", but language models run no shadow versions: each model serves its newest"
                    + " version";
        }
        return null;
    }

    /**
     * Settles the versions whose loads finished, outside any key ({@link LanguageModelOperator}'s
     * check); a refusal's dead letter goes to {@code deadLetters}.
     */
    void settle(
            ReadOnlyBroadcastState<String, String> accepted,
            ReadOnlyBroadcastState<String, RawRecord> records,
            Consumer<DeadLetter> deadLetters)
            throws Exception {
        versions.settle(accepted, records, counted(deadLetters));
    }

    /** Whether accepted versions still wait for their artifact's verdict on this subtask. */
    boolean awaitsVerification() {
        return versions.awaitsVerification();
    }

    /** Whether every version load requested so far has finished, for tests. */
    boolean loadsFinished() {
        return versions.loadsFinished();
    }

    /** Versions this subtask holds loaded, for tests. */
    int loadedVersions() {
        return versions.loadedVersions();
    }

    /** Counts each dead letter by reason on its way to {@code out}. */
    private Consumer<DeadLetter> counted(Consumer<DeadLetter> out) {
        return letter -> {
            deadLetterCounters.count(letter);
            out.accept(letter);
        };
    }

    private static void deadLetter(
            Consumer<DeadLetter> deadLetters,
            DeadLetterReason reason,
            String message,
            Event event) {
        deadLetters.accept(new DeadLetter(reason, message, event.origin()));
    }
}
