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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
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
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves language models per key: each event of a key advances the key's recurrent state (Flink
 * keyed state, one per language model and key) by its symbols and yields a {@link Prediction}: the
 * event's surprise given the key's history and the most likely next symbols. An event with {@code
 * continue} also gets that many generated symbols, drawn from the key's state without changing it.
 *
 * <p>A key's events are applied in the order they arrive, which is the order of their partition:
 * producers key records by entity so that one key's events stay in order. A new sequence id (or the
 * end of the previous sequence) starts from a fresh state on the newest accepted version; a
 * sequence in progress finishes on the version it started on, as classifications do.
 *
 * <p>Events that come before their model's first version (a backlog read at start-up) wait in keyed
 * state, bounded per key, and are applied in order once a version is accepted.
 *
 * <p>Versions arrive as announcements on the broadcast input; one that names a language model of
 * this job is loaded and verified, refused (dead letter) if its artifact is not a language model,
 * does not verify or is not newer than the accepted one.
 */
public final class LanguageModelFunction
        extends KeyedBroadcastProcessFunction<String, Event, RawRecord, Prediction> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LanguageModelFunction.class);

    /**
     * Accepted versions: {@code name/version} to the announcement's JSON, and {@code latest:name}
     * to the newest accepted id.
     */
    public static final MapStateDescriptor<String, String> ACCEPTED_LANGUAGE_MODELS =
            new MapStateDescriptor<>("accepted-language-models", Types.STRING, Types.STRING);

    private static final String LATEST = "latest:";

    private final PredictionSettings settings;
    private final ModelLoader loader;

    /** The most events a key holds while no version of its language model has been accepted. */
    static final int MAX_PENDING_EVENTS = 10_000;

    /** How often a key with waiting events looks for an accepted version. */
    static final long RETRY_INTERVAL_MS = 200;

    private transient ValueState<LanguageModelState> state;
    private transient ListState<Event> pending;
    private transient ValueState<Integer> pendingCount;
    private transient Map<String, LoadedLanguageModel> loaded;
    private transient Counter predictions;
    private transient Counter symbols;
    private transient Counter continuations;
    private transient Counter rejections;
    private transient DeadLetterCounters deadLetterCounters;

    public LanguageModelFunction(PredictionSettings settings, ModelLoader loader) {
        this.settings = settings;
        this.loader = loader;
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
        loaded = new HashMap<>();
        deadLetterCounters = new DeadLetterCounters(getRuntimeContext().getMetricGroup());
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("languageModels");
        predictions = metrics.counter("predictions");
        symbols = metrics.counter("symbols");
        continuations = metrics.counter("continuations");
        rejections = metrics.counter("modelRejections");
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
            reject(ctx, record, describe(announcement) + ": " + unsupported);
            return;
        }
        String latestId =
                ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS).get(LATEST + announcement.name());
        if (latestId != null) {
            ModelAnnouncement latest =
                    announcement(ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS).get(latestId));
            if (announcement.version() <= latest.version()) {
                if (!announcement.equals(latest)) {
                    reject(
                            ctx,
                            record,
                            describe(announcement)
                                    + " is not newer than the accepted version "
                                    + latest.version());
                }
                return;
            }
        }
        LoadedLanguageModel model;
        try {
            model = load(announcement);
        } catch (Exception e) {
            reject(ctx, record, describe(announcement) + ": " + e.getMessage());
            return;
        }
        loaded.put(announcement.id(), model);
        BroadcastState<String, String> accepted = ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS);
        accepted.put(
                announcement.id(),
                new String(AnnouncementParser.toJson(announcement), StandardCharsets.UTF_8));
        accepted.put(LATEST + announcement.name(), announcement.id());
        LOG.info("{} accepted", describe(announcement));
    }

    @Override
    public void processElement(Event event, ReadOnlyContext ctx, Collector<Prediction> out)
            throws Exception {
        ReadOnlyBroadcastState<String, String> accepted =
                ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS);
        if (accepted.get(LATEST + event.model()) == null) {
            // Events can come before the first announcement (a backlog read at start-up): they
            // wait in keyed state, bounded, until a version is accepted; a timer looks again.
            if (!hold(event, ctx.timerService())) {
                deadLetter(
                        counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter)),
                        DeadLetterReason.UNKNOWN_MODEL,
                        "no version of language model '"
                                + event.model()
                                + "' has been accepted and "
                                + MAX_PENDING_EVENTS
                                + " events of this key already wait for one",
                        event);
            }
            return;
        }
        Consumer<DeadLetter> deadLetters =
                counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter));
        if (pendingCount.value() != null) {
            // Earlier events of this key still wait: they go first, in order.
            drain(accepted::get, ctx.timerService(), deadLetters, out);
        }
        if (pendingCount.value() != null) {
            hold(event, ctx.timerService());
            return;
        }
        handle(event, accepted::get, deadLetters, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Prediction> out)
            throws Exception {
        ReadOnlyBroadcastState<String, String> accepted =
                ctx.getBroadcastState(ACCEPTED_LANGUAGE_MODELS);
        drain(
                accepted::get,
                ctx.timerService(),
                counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter)),
                out);
    }

    /**
     * Applies the key's waiting events, in order, up to the first whose model still has no accepted
     * version; that one and the rest keep waiting.
     */
    private void drain(
            AcceptedVersions accepted,
            TimerService timers,
            Consumer<DeadLetter> deadLetters,
            Collector<Prediction> out)
            throws Exception {
        if (pendingCount.value() == null) {
            return;
        }
        List<Event> waiting = new ArrayList<>();
        pending.get().forEach(waiting::add);
        pending.clear();
        pendingCount.clear();
        for (int i = 0; i < waiting.size(); i++) {
            Event event = waiting.get(i);
            if (pendingCount.value() == null && accepted.get(LATEST + event.model()) != null) {
                handle(event, accepted, deadLetters, out);
            } else {
                hold(event, timers);
            }
        }
    }

    /**
     * Keeps {@code event} until its model's first version, looking again after {@link
     * #RETRY_INTERVAL_MS}; false when the key already holds {@link #MAX_PENDING_EVENTS}.
     */
    private boolean hold(Event event, TimerService timers) throws Exception {
        Integer count = pendingCount.value();
        int held = count == null ? 0 : count;
        if (held >= MAX_PENDING_EVENTS) {
            return false;
        }
        if (held == 0) {
            timers.registerProcessingTimeTimer(timers.currentProcessingTime() + RETRY_INTERVAL_MS);
        }
        pending.add(event);
        pendingCount.update(held + 1);
        return true;
    }

    /** Applies one event of the current key with an accepted version of its model. */
    private void handle(
            Event event,
            AcceptedVersions accepted,
            Consumer<DeadLetter> deadLetters,
            Collector<Prediction> out)
            throws Exception {
        String latestId = accepted.get(LATEST + event.model());
        LanguageModelState current = state.value();
        boolean fresh = current == null || !Objects.equals(current.sequenceId, event.sequenceId());
        LoadedLanguageModel model = fresh ? null : loadedOrNull(current.version, accepted);
        if (model == null) {
            // A new sequence, or one whose version is no longer known: start on the newest.
            model = loaded(latestId, accepted);
            current =
                    new LanguageModelState(
                            event.sequenceId(), latestId, model.model().initialState().values());
        }

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

    /** Reads the accepted versions, from either side of the operator. */
    @FunctionalInterface
    private interface AcceptedVersions {
        String get(String key) throws Exception;
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

    private LoadedLanguageModel loadedOrNull(String id, AcceptedVersions accepted)
            throws Exception {
        LoadedLanguageModel model = loaded.get(id);
        if (model != null) {
            return model;
        }
        return accepted.get(id) == null ? null : loaded(id, accepted);
    }

    /** The version {@code id}, loaded on first use (after a restore the cache is empty). */
    private LoadedLanguageModel loaded(String id, AcceptedVersions accepted) throws Exception {
        LoadedLanguageModel model = loaded.get(id);
        if (model == null) {
            model = load(announcement(accepted.get(id)));
            loaded.put(id, model);
        }
        return model;
    }

    private LoadedLanguageModel load(ModelAnnouncement announcement) throws Exception {
        LanguageModel model =
                loader.load(announcement).requireLanguageModel(describe(announcement));
        return LoadedLanguageModel.of(announcement, model);
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

    private static ModelAnnouncement announcement(String json) {
        return AnnouncementParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private void reject(Context ctx, RawRecord record, String message) {
        LOG.warn("language model announcement refused: {}", message);
        rejections.inc();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            counted(letter -> ctx.output(DeadLetter.SIDE_OUTPUT, letter))
                    .accept(new DeadLetter(DeadLetterReason.MODEL_REJECTED, message, record));
        }
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

    private static String describe(ModelAnnouncement announcement) {
        return "language model " + announcement.name() + " version " + announcement.version();
    }
}
