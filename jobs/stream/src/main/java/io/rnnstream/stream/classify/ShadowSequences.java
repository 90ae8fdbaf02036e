package io.rnnstream.stream.classify;

import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.model.ModelAnnouncement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Histogram;

/**
 * The shadow versions of a key's model, run on the key's events next to its serving sequence: each
 * with its own hidden state in the keyed map {@code shadow-sequences} (shadow version to {@link
 * SequenceState}, same state key as the serving sequence), started when a serving sequence starts
 * (with the shadows in effect at that moment), stepped by the same inputs and ended, with a result,
 * when it ends. So a shadow's result is what the shadow version would have served for the same
 * sequence, and pairs with the served one.
 *
 * <p>Steps go through a {@link StepBatch} of their own, which runs just before the serving one: the
 * served path computes exactly what it computes without shadows, and a key's shadow results leave
 * the operator before its served result.
 */
final class ShadowSequences {

    /** Resolves a version of the current key's model to its loaded form. */
    @FunctionalInterface
    interface Models {
        LoadedModel get(long version) throws Exception;
    }

    /** Selects the keyed-state key before a state is written back; null: the current key. */
    @FunctionalInterface
    interface KeySelection {
        void select(String stateKey) throws Exception;
    }

    private record Open(long version, StepBatch.KeyWork work, LoadedModel model) {}

    /** Separates the state key from the shadow version in the batch's work keys. */
    private static final char SEPARATOR = '\u0000';

    private final MapState<Long, SequenceState> sequences;
    private final StepBatch batch;

    /** The open shadow sequences of each key touched since the batch last ran. */
    private final Map<String, List<Open>> touched = new HashMap<>();

    ShadowSequences(
            RuntimeContext context, StateTtlConfig ttl, Histogram stepNanos, Histogram batchKeys) {
        MapStateDescriptor<Long, SequenceState> descriptor =
                new MapStateDescriptor<>(
                        "shadow-sequences",
                        Types.LONG.createSerializer(new ExecutionConfig().getSerializerConfig()),
                        new SequenceStateSerializer());
        descriptor.enableTimeToLive(ttl);
        this.sequences = context.getMapState(descriptor);
        this.batch = new StepBatch(stepNanos, batchKeys);
    }

    /**
     * Starts a sequence of every shadow in {@code shadows} for the current key, ending any it still
     * has open (without a result: the serving sequence has ended it already).
     */
    void start(
            String stateKey,
            List<ModelAnnouncement> shadows,
            Event first,
            Models models,
            boolean mayHaveState)
            throws Exception {
        if (shadows.isEmpty() && !mayHaveState) {
            return;
        }
        List<Open> open = open(stateKey, models, true);
        for (Open o : open) {
            o.work().begin(null);
        }
        open.clear();
        for (ModelAnnouncement shadow : shadows) {
            LoadedModel model = models.get(shadow.version());
            SequenceState state = new SequenceState();
            state.sequenceId = first.sequenceId();
            state.modelVersion = shadow.version();
            state.hidden = model.classifier().initialState().values();
            state.firstTimestamp = first.timestamp();
            state.lastTimestamp = first.timestamp();
            String workKey = stateKey + SEPARATOR + shadow.version();
            StepBatch.KeyWork work = batch.get(workKey);
            if (work == null) {
                work = batch.add(workKey, null);
            }
            work.begin(state);
            open.add(new Open(shadow.version(), work, model));
        }
    }

    /** Steps every open shadow sequence of the key by step {@code index} of {@code event}. */
    void step(String stateKey, Event event, int index, Models models, boolean mayHaveState)
            throws Exception {
        for (Open o : open(stateKey, models, mayHaveState)) {
            if (event.features() != null) {
                batch.step(o.work(), o.model(), event.features());
            } else {
                batch.stepToken(
                        o.work(),
                        o.model(),
                        o.model().classifier().vocabulary().id(event.tokens()[index]));
            }
            SequenceState state = o.work().state();
            state.steps++;
            state.lastTimestamp = event.timestamp();
        }
    }

    /** Queues a result of every open shadow sequence of the key, as it stands after its steps. */
    void emit(String stateKey, Trigger trigger, long time, Models models, boolean mayHaveState)
            throws Exception {
        for (Open o : open(stateKey, models, mayHaveState)) {
            SequenceState state = o.work().state();
            if (state.steps == 0) {
                continue;
            }
            Classification draft =
                    new Classification(
                            StateKey.entity(stateKey),
                            state.sequenceId,
                            null,
                            o.model().labels(),
                            null,
                            state.steps,
                            state.firstTimestamp,
                            state.lastTimestamp,
                            trigger,
                            o.model().announcement().name(),
                            state.modelVersion);
            batch.emit(o.work(), o.model(), draft, time);
        }
    }

    /** Emits ({@link #emit}) and ends every open shadow sequence of the key. */
    void end(String stateKey, Trigger trigger, long time, Models models, boolean mayHaveState)
            throws Exception {
        emit(stateKey, trigger, time, models, mayHaveState);
        List<Open> open = open(stateKey, models, mayHaveState);
        if (open.isEmpty()) {
            return;
        }
        for (Open o : open) {
            o.work().begin(null);
        }
        open.clear();
    }

    /** Tells whether a version is ready to step. */
    @FunctionalInterface
    interface Readiness {
        boolean ready(long version) throws Exception;
    }

    /** Whether the version of each of the key's open shadow sequences is ready. */
    boolean allReady(String stateKey, Readiness readiness) throws Exception {
        List<Open> open = touched.get(stateKey);
        if (open != null) {
            return true; // touched in this batch: its versions were ready then, and still are
        }
        for (Long version : sequences.keys()) {
            if (!readiness.ready(version)) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return batch.isEmpty();
    }

    boolean isFull() {
        return batch.isFull();
    }

    /**
     * Steps every key touched since the last run, emits the shadow results and writes the shadow
     * sequences back to keyed state.
     */
    void run(StepBatch.ResultSink results, KeySelection keys) throws Exception {
        touched.clear();
        if (batch.isEmpty()) {
            return;
        }
        batch.run(
                results,
                (workKey, state) -> {
                    int at = workKey.lastIndexOf(SEPARATOR);
                    if (keys != null) {
                        keys.select(workKey.substring(0, at));
                    }
                    long version = Long.parseLong(workKey.substring(at + 1));
                    if (state == null) {
                        sequences.remove(version);
                    } else {
                        sequences.put(version, state);
                    }
                });
    }

    /**
     * The key's open shadow sequences, read from keyed state on the key's first touch in a batch;
     * an empty, unmodifiable list for a model that never had a shadow, so its keys cost no state
     * access.
     */
    private List<Open> open(String stateKey, Models models, boolean mayHaveState) throws Exception {
        List<Open> open = touched.get(stateKey);
        if (open != null) {
            return open;
        }
        if (!mayHaveState) {
            // No list, no map entry: a model without shadows allocates nothing here.
            return List.of();
        }
        open = new ArrayList<>(2);
        for (Map.Entry<Long, SequenceState> entry : sequences.entries()) {
            String workKey = stateKey + SEPARATOR + entry.getKey();
            StepBatch.KeyWork work = batch.get(workKey);
            if (work == null) {
                work = batch.add(workKey, entry.getValue());
            }
            open.add(new Open(entry.getKey(), work, models.get(entry.getKey())));
        }
        touched.put(stateKey, open);
        return open;
    }
}
