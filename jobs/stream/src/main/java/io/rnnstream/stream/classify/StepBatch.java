package io.rnnstream.stream.classify;

import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Histogram;

/**
 * The recurrent steps and results of the keys touched since it was last run, computed together:
 * each round advances every key that has work left by its next step, with one {@link
 * io.rnnstream.core.serving.BatchStepper} call per model version, so a weight is read from memory
 * once per tile of keys instead of once per key (the mini-batch of Flink's mini-batch operators).
 *
 * <p>The operator decides everything else as events apply (whether an event fits, when a sequence
 * ends, timers, dead letters); only the arithmetic and the results that need it wait here. A key's
 * steps and results keep their order. The working {@link SequenceState} of each key touched lives
 * here until {@link #writeBack}, so a key whose timer fires again before then continues from its
 * own pending state, and keyed state is written once per key per batch instead of once per event.
 *
 * <p>Not thread-safe; one per subtask.
 */
final class StepBatch {

    /** Receives a result and the event time of the timer that produced it. */
    @FunctionalInterface
    interface ResultSink {
        void emit(Classification result, long timestamp) throws Exception;
    }

    /** Writes a key's final state (null: the key has no open sequence) to keyed state. */
    @FunctionalInterface
    interface StateWriter {
        void write(String stateKey, SequenceState state) throws Exception;
    }

    /** One key's open sequence while the batch runs. */
    static final class KeyWork {
        private final String stateKey;
        private SequenceState state;
        private RecurrentState recurrent;
        private boolean changed;
        private final ArrayDeque<Object> pending = new ArrayDeque<>(2);

        private KeyWork(String stateKey, SequenceState state) {
            this.stateKey = stateKey;
            begin(state);
            this.changed = false;
        }

        /** The key this work belongs to. */
        String stateKey() {
            return stateKey;
        }

        /** The open sequence, or null; its hidden floats lag behind until the batch runs. */
        SequenceState state() {
            return state;
        }

        /** Makes {@code next} (may be null) the key's open sequence. */
        void begin(SequenceState next) {
            state = next;
            recurrent = next == null ? null : new RecurrentState(next.hidden, next.steps);
            changed = true;
        }

        /** Marks the sequence's fields as changed, so it is written back. */
        void changed() {
            changed = true;
        }
    }

    private record Step(RecurrentState target, LoadedModel model, float[] features, int tokenId) {}

    private record Emit(
            RecurrentState source, LoadedModel model, Classification draft, long time) {}

    /**
     * Steps after which the batch should run even if the watermark advance has more timers to fire:
     * an advance after a long backlog may release millions of events, which must not all wait in
     * memory.
     */
    static final int MAX_QUEUED_STEPS = 16_384;

    private final Map<String, KeyWork> keys = new LinkedHashMap<>();
    private int queuedSteps;
    private final Map<LoadedModel, StepGroup> groups = new IdentityHashMap<>();
    private final List<KeyWork> active = new ArrayList<>();
    private final Histogram stepNanos;
    private final Histogram batchKeys;

    /**
     * @param stepNanos receives, per kernel call, its nanoseconds divided by the keys it stepped
     * @param batchKeys receives, per kernel call, the number of keys it stepped
     */
    StepBatch(Histogram stepNanos, Histogram batchKeys) {
        this.stepNanos = stepNanos;
        this.batchKeys = batchKeys;
    }

    /** The key's work in this batch, or null if the key has not been touched. */
    KeyWork get(String stateKey) {
        return keys.get(stateKey);
    }

    /** Starts the key's work from the state read from keyed state (may be null). */
    KeyWork add(String stateKey, SequenceState stored) {
        KeyWork work = new KeyWork(stateKey, stored);
        keys.put(stateKey, work);
        return work;
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    /** Whether the batch holds {@link #MAX_QUEUED_STEPS} steps or more. */
    boolean isFull() {
        return queuedSteps >= MAX_QUEUED_STEPS;
    }

    /** Queues one step of the key's open sequence by a feature vector. */
    void step(KeyWork work, LoadedModel model, float[] features) {
        work.pending.add(new Step(work.recurrent, model, features, -1));
        work.changed = true;
        queuedSteps++;
    }

    /** Queues one step of the key's open sequence by a token id. */
    void stepToken(KeyWork work, LoadedModel model, int tokenId) {
        work.pending.add(new Step(work.recurrent, model, null, tokenId));
        work.changed = true;
        queuedSteps++;
    }

    /**
     * Queues the result of the key's open sequence as it will be after the steps queued so far.
     *
     * @param draft the result with everything but the label and the probabilities
     */
    void emit(KeyWork work, LoadedModel model, Classification draft, long timestamp) {
        work.pending.add(new Emit(work.recurrent, model, draft, timestamp));
    }

    /**
     * Runs every queued step and emits every queued result in round order (per key in queue order),
     * then writes each changed key's state and forgets all keys.
     */
    void run(ResultSink results, StateWriter writer) throws Exception {
        for (KeyWork work : keys.values()) {
            if (!work.pending.isEmpty()) {
                active.add(work);
            }
        }
        while (!active.isEmpty()) {
            int kept = 0;
            for (KeyWork work : active) {
                Object next = work.pending.poll();
                while (next instanceof Emit emit) {
                    results.emit(result(emit), emit.time());
                    next = work.pending.poll();
                }
                if (next != null) {
                    Step step = (Step) next;
                    groups.computeIfAbsent(step.model(), m -> new StepGroup()).add(step);
                    active.set(kept++, work);
                }
            }
            active.subList(kept, active.size()).clear();
            for (Map.Entry<LoadedModel, StepGroup> group : groups.entrySet()) {
                group.getValue().run(group.getKey());
            }
        }
        for (KeyWork work : keys.values()) {
            if (work.changed) {
                writer.write(work.stateKey, work.state);
            }
        }
        keys.clear();
        queuedSteps = 0;
    }

    private static Classification result(Emit emit) {
        LoadedModel model = emit.model();
        float[] probabilities = new float[model.labels().length];
        model.stepper().probabilities(emit.source(), probabilities);
        Classification d = emit.draft();
        return new Classification(
                d.key(),
                d.sequenceId(),
                model.labels()[SequenceClassifier.argMax(probabilities)],
                model.labels(),
                probabilities,
                d.steps(),
                d.firstTimestamp(),
                d.lastTimestamp(),
                d.trigger(),
                d.model(),
                d.modelVersion());
    }

    /** The steps of one round on one model version. */
    private final class StepGroup {
        private RecurrentState[] states = new RecurrentState[16];
        private float[][] features = new float[16][];
        private int[] tokenIds = new int[16];
        private int count;

        void add(Step step) {
            if (count == states.length) {
                states = Arrays.copyOf(states, count * 2);
                features = Arrays.copyOf(features, count * 2);
                tokenIds = Arrays.copyOf(tokenIds, count * 2);
            }
            states[count] = step.target();
            features[count] = step.features();
            tokenIds[count] = step.tokenId();
            count++;
        }

        void run(LoadedModel model) {
            if (count == 0) {
                return;
            }
            boolean tokens = features[0] == null;
            long start = System.nanoTime();
            if (count == 1) {
                // One key: the one-key kernel keeps its accumulators in registers.
                if (tokens) {
                    model.stepper().advanceToken(states[0], tokenIds[0]);
                } else {
                    model.stepper().advance(states[0], features[0]);
                }
            } else if (tokens) {
                model.batchStepper().advanceTokens(states, tokenIds, count);
            } else {
                model.batchStepper().advance(states, features, count);
            }
            stepNanos.update((System.nanoTime() - start) / count);
            batchKeys.update(count);
            // Drop the references so finished sequences can be collected.
            Arrays.fill(states, 0, count, null);
            Arrays.fill(features, 0, count, null);
            count = 0;
        }
    }
}
