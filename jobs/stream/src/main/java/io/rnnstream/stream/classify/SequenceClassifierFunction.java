package io.rnnstream.stream.classify;

import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterCounters;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The heart of the streaming job: per key, advances the recurrent hidden state by one step per
 * event (in event-time order) and emits a classification when the sequence ends.
 *
 * <p>Keyed state holds the open sequence ({@link SequenceState}) and the events waiting for the
 * watermark; broadcast state holds the accepted model versions, so every parallel instance knows
 * the same versions and a restore brings them back.
 *
 * <p>This function never waits for a model version to load. {@link AcceptedVersions} decides
 * announcements and loads versions off the task thread ({@link
 * io.rnnstream.stream.registry.ModelRegistry}); a timer that needs a version that is not ready yet
 * (just announced, evicted from the cache, or after a restore) is deferred in keyed state ({@link
 * DeferredTimers}) with every later timer of its key, and runs, in order, from a processing-time
 * retry once the version is ready. Other keys are not held up. A processing-time timer, not a
 * blocked thread, is how a finished load reaches the key: completion comes back to the task thread
 * only through Flink's own timers and mailbox.
 *
 * <p>A sequence ends on {@code end: true}, an event-time inactivity gap, the maximum length, or a
 * new sequence id; each path clears the key's state and deletes its timer. Events at or behind the
 * watermark are dead-lettered as {@code late}.
 *
 * <p>Which version serves new sequences and which run as shadows is {@link ModelVersions}' job; the
 * shadows' own sequences, stepped by the same events, are {@link ShadowSequences}' job. This
 * function only tells them when a sequence starts, steps and ends.
 *
 * <p>The recurrent arithmetic goes through a {@link StepBatch}. Run by {@link
 * SequenceClassifierOperator} with batching on, the batch collects every key whose timers fire in
 * one watermark advance and steps them together before the watermark moves on; otherwise it runs at
 * the end of each timer, one key at a time.
 */
public class SequenceClassifierFunction
        extends KeyedBroadcastProcessFunction<String, Event, RawRecord, Classification> {

    private static final long serialVersionUID = 1L;

    /** Shadow results: never on the results topic, on the shadow topic. */
    public static final OutputTag<Classification> SHADOW_RESULTS =
            new OutputTag<>("shadow-classifications", TypeInformation.of(Classification.class));

    /** The label each version gave each finished sequence, when the live evaluation is on. */
    public static final OutputTag<Prediction> PREDICTIONS =
            new OutputTag<>("predictions", TypeInformation.of(Prediction.class));

    /** Accepted model versions by {@link ModelAnnouncement#id()}. */
    public static final MapStateDescriptor<String, ModelAnnouncement> ACCEPTED_MODELS =
            new MapStateDescriptor<>(
                    "accepted-models", Types.STRING, TypeInformation.of(ModelAnnouncement.class));

    private final ClassifierSettings settings;
    private final ModelLoader loader;

    /** The open sequence of this key. */
    private transient ValueState<SequenceState> sequence;

    /** Events of this key waiting for the watermark, by event time. */
    private transient MapState<Long, List<Event>> pending;

    /** This key's event-time timers that wait for a model version to load. */
    private transient DeferredTimers deferred;

    /**
     * The accepted versions, their roles and their loaded form; loads run off the task thread. Old
     * versions are needed only by sequences that started on them; after eviction such a version is
     * reloaded (and verified) on first use, as after a restore.
     */
    private transient AcceptedVersions accepted;

    /** The keyed state of a serving sequence; a key has it exactly while its sequence is open. */
    static final String SEQUENCE_STATE = "sequence";

    /** The shadow versions' sequences of each key, next to its serving sequence. */
    private transient ShadowSequences shadows;

    private transient Counter classificationsOut;
    private transient Counter sequencesStarted;
    private transient Counter sequencesEnded;
    private transient ResultLatency latency;
    private transient ModelMeters modelMeters;

    /**
     * Sequences open in the keyed state this subtask started from (a restore); the counters start
     * at zero, so the gauge adds them. Set by the operator, which can enumerate keyed state.
     */
    private transient long restoredOpenSequences;

    private transient DeadLetterCounters deadLetters;
    private transient StepBatch batch;
    private transient Histogram stepBatchKeys;

    /** The event time of the timer whose work runs: the results' timestamp. */
    private transient long firing;

    /**
     * Selects the keyed-state key, when the batch runs outside a timer; null: one key at a time.
     */
    private transient KeySelection keySelection;

    /** Where a batch run from a timer (because it is full) sends its results. */
    private transient Outputs batchResults;

    /** Lets the operator point keyed state at another key. */
    @FunctionalInterface
    interface KeySelection extends ShadowSequences.KeySelection {}

    /** Receives a prediction and the event time of the timer that produced it. */
    @FunctionalInterface
    interface PredictionSink {
        void emit(Prediction prediction, long timestamp) throws Exception;
    }

    /** Where results go: served ones, shadow ones, and predictions for the live evaluation. */
    record Outputs(
            StepBatch.ResultSink served, StepBatch.ResultSink shadow, PredictionSink predictions) {}

    public SequenceClassifierFunction(ClassifierSettings settings, ModelLoader loader) {
        this.settings = settings;
        this.loader = loader;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        ValueStateDescriptor<SequenceState> sequenceDescriptor =
                new ValueStateDescriptor<>(SEQUENCE_STATE, new SequenceStateSerializer());
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(settings.stateTtl())
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        sequenceDescriptor.enableTimeToLive(ttl);
        sequence = getRuntimeContext().getState(sequenceDescriptor);
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending-events",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(Event.class))));
        deferred = new DeferredTimers(getRuntimeContext());
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        classificationsOut = metrics.counter("classificationsOut");
        sequencesStarted = metrics.counter("sequencesStarted");
        sequencesEnded = metrics.counter("sequencesEnded");
        deadLetters = new DeadLetterCounters(metrics);
        accepted =
                new AcceptedVersions(
                        settings,
                        loader,
                        getRuntimeContext().getTaskInfo().getTaskNameWithSubtasks(),
                        metrics.counter("modelRejections"),
                        deadLetters,
                        getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0);
        accepted.loadInitial();
        latency = new ResultLatency(metrics, System::currentTimeMillis);
        modelMeters = new ModelMeters(metrics);
        metrics.gauge("openSequences", (Gauge<Long>) this::openSequences);
        metrics.gauge("modelVersion", (Gauge<Long>) accepted::servedVersion);
        stepBatchKeys =
                metrics.histogram("stepBatchKeys", new DescriptiveStatisticsHistogram(1000));
        batch =
                new StepBatch(
                        metrics.histogram("stepNanos", new DescriptiveStatisticsHistogram(1000)),
                        stepBatchKeys);
        MetricGroup shadowMetrics = metrics.addGroup("shadow");
        shadows =
                new ShadowSequences(
                        getRuntimeContext(),
                        ttl,
                        shadowMetrics.histogram(
                                "stepNanos", new DescriptiveStatisticsHistogram(1000)),
                        shadowMetrics.histogram(
                                "stepBatchKeys", new DescriptiveStatisticsHistogram(1000)));
    }

    @Override
    public void processElement(Event event, ReadOnlyContext ctx, Collector<Classification> out)
            throws Exception {
        takeInLoads(ctx);
        ModelAnnouncement current = versions(ctx).serving(event.model());
        if (current == null) {
            ctx.output(DeadLetter.SIDE_OUTPUT, unknownModel(event));
            return;
        }
        // Every version of a model takes the same input (checked when a version verifies), so the
        // version in service decides whether the event fits, before it waits for the watermark;
        // while that version loads, the check waits for the event's timer.
        LoadedModel serving = accepted.loadedOrNull(current);
        ModelSpec spec = serving == null ? null : serving.spec();
        String problem = spec == null ? null : InputFit.problem(spec, event);
        if (problem != null) {
            ctx.output(
                    DeadLetter.SIDE_OUTPUT,
                    deadLetter(InputFit.reason(spec, event), problem, event.origin()));
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (event.timestamp() <= watermark) {
            ctx.output(
                    DeadLetter.SIDE_OUTPUT,
                    deadLetter(
                            DeadLetterReason.LATE,
                            "event time "
                                    + event.timestamp()
                                    + " is not after the watermark "
                                    + watermark
                                    + "; raise the allowed out-of-orderness to accept it",
                            event.origin()));
            return;
        }
        List<Event> due = pending.get(event.timestamp());
        if (due == null) {
            due = new ArrayList<>(1);
            ctx.timerService().registerEventTimeTimer(event.timestamp());
        }
        due.add(event);
        pending.put(event.timestamp(), due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Classification> out)
            throws Exception {
        takeInLoads(ctx);
        // After a restore a gap timer can fire before any event or announcement arrives.
        versions(ctx);
        ReadOnlyBroadcastState<String, ModelAnnouncement> models =
                ctx.getBroadcastState(ACCEPTED_MODELS);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            deferred.replay(t -> fireIfReady(t, models, ctx), ctx.timerService());
        } else if (deferred.waiting() || !fireIfReady(timestamp, models, ctx)) {
            // Behind the key's earlier timers, or its versions still load: in order, later.
            deferred.defer(timestamp, ctx.timerService());
        }
        if (keySelection == null) {
            runBatch(
                    new Outputs(
                            (result, time) -> out.collect(result),
                            (result, time) -> ctx.output(SHADOW_RESULTS, result),
                            (prediction, time) -> ctx.output(PREDICTIONS, prediction)));
        } else if (batch.isFull()
                || shadows.isFull()
                || ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // No watermark ends a processing-time timer: its work runs now.
            runBatch(batchResults);
            keySelection.select(ctx.getCurrentKey());
        }
    }

    /**
     * Runs the work of the key's event-time timer at {@code timestamp} if every model version it
     * may need is ready; returns whether it ran.
     */
    private boolean fireIfReady(
            long timestamp,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            OnTimerContext ctx)
            throws Exception {
        List<Event> due = pending.get(timestamp);
        StepBatch.KeyWork work = work(ctx.getCurrentKey());
        if (!readyFor(due, work.state(), models, ctx.getCurrentKey())) {
            return false;
        }
        firing = timestamp;
        if (due != null) {
            pending.remove(timestamp);
            for (Event event : due) {
                apply(event, models, ctx);
            }
        }
        SequenceState state = work.state();
        if (state != null && state.gapDeadline == timestamp) {
            state.gapDeadline = Long.MIN_VALUE;
            end(work, Trigger.GAP, ctx);
        }
        return true;
    }

    /**
     * Whether every version the key's timer at {@code timestamp} may need is ready: the version of
     * its open sequence and of its open shadow sequences and, when events are due, the serving
     * version and shadows that a new sequence would start on.
     */
    private boolean readyFor(
            List<Event> due,
            SequenceState state,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            String stateKey)
            throws Exception {
        String name;
        if (due != null && !due.isEmpty()) {
            name = due.get(0).model();
        } else if (state != null) {
            name = StateKey.model(stateKey);
        } else {
            return true;
        }
        if (state != null && !accepted.ready(accepted.version(models, name, state.modelVersion))) {
            return false;
        }
        if (due != null) {
            if (!accepted.ready(accepted.roles().serving(name))) {
                return false;
            }
            List<ModelAnnouncement> inEffect = accepted.roles().shadows(name);
            for (int i = 0; i < inEffect.size(); i++) {
                if (!accepted.ready(inEffect.get(i))) {
                    return false;
                }
            }
        }
        return !accepted.roles().mayHaveShadowState(name)
                || shadows.allReady(
                        stateKey, v -> accepted.ready(accepted.version(models, name, v)));
    }

    /**
     * Called by the operator once the keyed state is restored: the sequences open in it, which the
     * {@code openSequences} gauge counts besides those started since.
     */
    void restoredOpenSequences(Map<String, Long> byModel) {
        restoredOpenSequences = byModel.values().stream().mapToLong(Long::longValue).sum();
        modelMeters.restored(byModel);
    }

    /** Sequences open on this subtask: restored ones plus those started since, minus ended ones. */
    long openSequences() {
        return restoredOpenSequences + sequencesStarted.getCount() - sequencesEnded.getCount();
    }

    /** Sequences of {@code model} open on this subtask, counted as {@link #openSequences()}. */
    long openSequences(String model) {
        return modelMeters.openSequences(model);
    }

    /** Events applied to sequences of {@code model} on this subtask. */
    long events(String model) {
        return modelMeters.events(model);
    }

    /** Whether the settings ask for the steps of a watermark advance to run as one batch. */
    boolean batchesSteps() {
        return settings.batchSteps();
    }

    /**
     * From now on, steps wait until {@link #runBatch} (called by the operator once a watermark
     * advance has fired every due timer, or here when the batch is full) instead of running at the
     * end of each timer.
     *
     * @param keys points keyed state at a key, to write the keys of a batch back
     * @param results receives the results of a batch that runs because it is full
     */
    void batchUntilRun(KeySelection keys, Outputs results) {
        this.keySelection = keys;
        this.batchResults = results;
    }

    /**
     * Steps every key touched since the last run, emits their results and writes their states to
     * keyed state: the shadows first, so a key's shadow predictions precede its served one (the
     * evaluation pairs them on that order), then the serving sequences.
     */
    void runBatch(Outputs results) throws Exception {
        shadows.run(
                withPredictions(
                        latency.measured(results.shadow(), ModelRole.SHADOW),
                        results,
                        ModelRole.SHADOW),
                keySelection);
        if (batch.isEmpty()) {
            return;
        }
        batch.run(
                withPredictions(
                        latency.measured(results.served(), ModelRole.SERVING),
                        results,
                        ModelRole.SERVING),
                (stateKey, state) -> {
                    if (keySelection != null) {
                        keySelection.select(stateKey);
                    }
                    if (state == null) {
                        sequence.clear();
                    } else {
                        sequence.update(state);
                    }
                });
    }

    private StepBatch.ResultSink withPredictions(
            StepBatch.ResultSink sink, Outputs results, ModelRole role) {
        if (!settings.evaluate()) {
            return sink;
        }
        return (result, time) -> {
            sink.emit(result, time);
            Prediction prediction = Prediction.of(result, role);
            if (prediction != null) {
                results.predictions().emit(prediction, time);
            }
        };
    }

    /**
     * The model versions, indexed from broadcast state on first use; versions a restore brings back
     * unverified load again.
     */
    private ModelVersions versions(ReadOnlyContext ctx) throws Exception {
        accepted.index(
                ctx.getBroadcastState(ACCEPTED_MODELS),
                ctx.getBroadcastState(ModelVersions.ROLES),
                ctx.getBroadcastState(UnverifiedVersions.UNVERIFIED));
        return accepted.roles();
    }

    /**
     * Takes in the loads that finished since the last call and settles the versions that waited for
     * them: a verified one serves, a refused one is withdrawn, with a dead letter.
     */
    private void takeInLoads(ReadOnlyContext ctx) throws Exception {
        if (accepted.hasNews()) {
            accepted.settle(
                    ctx.getBroadcastState(ACCEPTED_MODELS),
                    ctx.getBroadcastState(ModelVersions.ROLES),
                    ctx.getBroadcastState(UnverifiedVersions.UNVERIFIED),
                    letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
        }
    }

    /** The accepted versions, for the operator, which settles their loads outside any key. */
    AcceptedVersions acceptedVersions() {
        return accepted;
    }

    /** The key's pending work in this batch, begun from keyed state on first touch. */
    private StepBatch.KeyWork work(String stateKey) throws Exception {
        StepBatch.KeyWork work = batch.get(stateKey);
        return work != null ? work : batch.add(stateKey, sequence.value());
    }

    @Override
    public void processBroadcastElement(
            RawRecord record, Context ctx, Collector<Classification> out) throws Exception {
        accepted.announce(
                record,
                ctx.getBroadcastState(ACCEPTED_MODELS),
                ctx.getBroadcastState(ModelVersions.ROLES),
                ctx.getBroadcastState(UnverifiedVersions.UNVERIFIED),
                letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
    }

    private void apply(
            Event event,
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            OnTimerContext ctx)
            throws Exception {
        StepBatch.KeyWork work = work(ctx.getCurrentKey());
        SequenceState state = work.state();
        if (state != null
                && event.sequenceId() != null
                && !event.sequenceId().equals(state.sequenceId)) {
            end(work, Trigger.NEW_SEQ, ctx);
            state = null;
        }
        LoadedModel model;
        if (state == null) {
            ModelAnnouncement version = accepted.roles().serving(event.model());
            if (version == null) {
                // The model's only version was refused while the event waited.
                ctx.output(DeadLetter.SIDE_OUTPUT, unknownModel(event));
                return;
            }
            model = accepted.model(version);
        } else {
            model = model(models, state, ctx.getCurrentKey());
        }
        String problem = InputFit.problem(model.spec(), event);
        if (problem != null) {
            ctx.output(
                    DeadLetter.SIDE_OUTPUT,
                    deadLetter(InputFit.reason(model.spec(), event), problem, event.origin()));
            return;
        }
        String stateKey = ctx.getCurrentKey();
        ShadowSequences.Models shadowModels = shadowModels(models, stateKey);
        boolean mayHaveShadows = accepted.roles().mayHaveShadowState(event.model());
        if (state == null) {
            state = start(work, event, model, shadowModels);
        }
        modelMeters.event(event.model());
        int stepsInEvent = event.features() != null ? 1 : event.tokens().length;
        for (int i = 0; i < stepsInEvent; i++) {
            if (event.features() != null) {
                batch.step(work, model, event.features());
            } else {
                batch.stepToken(work, model, model.classifier().vocabulary().id(event.tokens()[i]));
            }
            shadows.step(stateKey, event, i, shadowModels, mayHaveShadows);
            state.steps++;
            state.lastTimestamp = event.timestamp();
            if (state.steps >= settings.maxLength()) {
                end(work, Trigger.MAX_LENGTH, ctx);
                if (i + 1 < stepsInEvent) {
                    state = start(work, event, model, shadowModels);
                } else {
                    state = null;
                }
            } else if (settings.emitEvery() > 0
                    && state.steps % settings.emitEvery() == 0
                    && !(event.end() && i + 1 == stepsInEvent)) {
                shadows.emit(stateKey, Trigger.EVERY_N, firing, shadowModels, mayHaveShadows);
                emit(work, ctx, model, Trigger.EVERY_N);
            }
        }
        if (state == null) {
            return;
        }
        if (event.end()) {
            end(work, Trigger.END, ctx);
            return;
        }
        long deadline = saturatedAdd(state.lastTimestamp, settings.gap().toMillis());
        if (state.gapDeadline != deadline) {
            deleteGapTimer(state, ctx);
            state.gapDeadline = deadline;
            ctx.timerService().registerEventTimeTimer(deadline);
        }
        work.changed();
    }

    /**
     * Starts the key's sequence on the serving version, and one on each shadow version in effect
     * now: a shadow sees a sequence only from its start.
     */
    private SequenceState start(
            StepBatch.KeyWork work,
            Event event,
            LoadedModel model,
            ShadowSequences.Models shadowModels)
            throws Exception {
        String name = model.announcement().name();
        shadows.start(
                work.stateKey(),
                accepted.roles().shadows(name),
                event,
                shadowModels,
                accepted.roles().mayHaveShadowState(name));
        SequenceState state = newSequence(event, model);
        work.begin(state);
        return state;
    }

    private SequenceState newSequence(Event event, LoadedModel model) {
        SequenceState state = new SequenceState();
        state.sequenceId = event.sequenceId();
        state.modelVersion = model.announcement().version();
        state.hidden = model.classifier().initialState().values();
        state.steps = 0;
        state.firstTimestamp = event.timestamp();
        state.lastTimestamp = event.timestamp();
        sequencesStarted.inc();
        modelMeters.started(model.announcement().name());
        return state;
    }

    private void end(StepBatch.KeyWork work, Trigger trigger, OnTimerContext ctx) throws Exception {
        SequenceState state = work.state();
        String stateKey = ctx.getCurrentKey();
        ReadOnlyBroadcastState<String, ModelAnnouncement> models =
                ctx.getBroadcastState(ACCEPTED_MODELS);
        shadows.end(
                stateKey,
                trigger,
                firing,
                shadowModels(models, stateKey),
                accepted.roles().mayHaveShadowState(StateKey.model(stateKey)));
        if (state.steps > 0) {
            emit(work, ctx, model(models, state, stateKey), trigger);
        }
        deleteGapTimer(state, ctx);
        work.begin(null);
        sequencesEnded.inc();
        modelMeters.ended(StateKey.model(stateKey));
    }

    /**
     * Deletes the gap timer unless events wait for the same instant: Flink keeps one timer per key
     * and timestamp, so that timer also releases those events.
     */
    private void deleteGapTimer(SequenceState state, OnTimerContext ctx) throws Exception {
        if (state.gapDeadline != Long.MIN_VALUE && !pending.contains(state.gapDeadline)) {
            ctx.timerService().deleteEventTimeTimer(state.gapDeadline);
        }
    }

    /** Queues the key's result as it stands after the steps queued so far. */
    private void emit(
            StepBatch.KeyWork work, OnTimerContext ctx, LoadedModel model, Trigger trigger) {
        SequenceState state = work.state();
        Classification draft =
                new Classification(
                        StateKey.entity(ctx.getCurrentKey()),
                        state.sequenceId,
                        null,
                        model.labels(),
                        null,
                        state.steps,
                        state.firstTimestamp,
                        state.lastTimestamp,
                        trigger,
                        model.announcement().name(),
                        state.modelVersion);
        batch.emit(work, model, draft, firing);
        classificationsOut.inc();
    }

    /** Loads the current key's shadow versions (any version of its model) on demand. */
    private ShadowSequences.Models shadowModels(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models, String stateKey) {
        return version -> {
            SequenceState probe = new SequenceState();
            probe.modelVersion = version;
            return model(models, probe, stateKey);
        };
    }

    /** The version an open sequence started on; the model name is part of its state key. */
    private LoadedModel model(
            ReadOnlyBroadcastState<String, ModelAnnouncement> models,
            SequenceState state,
            String stateKey)
            throws Exception {
        return accepted.model(
                accepted.version(models, StateKey.model(stateKey), state.modelVersion));
    }

    /** The most keys stepped in one kernel call among the last 1,000 calls, for tests. */
    long largestStepBatch() {
        return stepBatchKeys.getStatistics().getMax();
    }

    /** Versions loaded in this subtask's cache, the initial model included, for tests. */
    int loadedModels() {
        return accepted.loaded();
    }

    /** Whether every load requested so far has finished, for tests. */
    boolean loadsFinished() {
        return accepted.loadsFinished();
    }

    /** Keys whose timers wait for a version, for tests. */
    long keysWaiting() {
        return deferred.keysWaiting();
    }

    /**
     * Whether every requested load has finished, every announced version has verified or been
     * refused, and no key waits for a version: for harnesses (tests, benchmarks) that move
     * processing time themselves, which is what fires the waiting keys' retries.
     */
    public boolean settled() {
        return loadsFinished() && keysWaiting() == 0 && !accepted.awaitsVerification();
    }

    /**
     * Called by the operator once the keyed state is restored: the keys whose timers wait for a
     * version.
     */
    void restoredWaitingKeys(long count) {
        deferred.restoredWaitingKeys(count);
    }

    @Override
    public void close() throws Exception {
        if (accepted != null) {
            accepted.close();
        }
        super.close();
    }

    private DeadLetter unknownModel(Event event) {
        return deadLetter(
                DeadLetterReason.UNKNOWN_MODEL,
                "no version of model '" + event.model() + "' is in service",
                event.origin());
    }

    private DeadLetter deadLetter(DeadLetterReason reason, String message, RawRecord record) {
        DeadLetter letter = new DeadLetter(reason, message, record);
        deadLetters.count(letter);
        return letter;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
