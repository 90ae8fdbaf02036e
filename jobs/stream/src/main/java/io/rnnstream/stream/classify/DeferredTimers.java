package io.rnnstream.stream.classify;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The event-time timers of a key that fired while a model version they need was not ready (it
 * loads: just announced, evicted, or after a restore), kept in keyed state in the order they fired
 * and run in that order by a processing-time retry once it is. A key with deferred timers defers
 * every later one behind them, so its events are applied in event-time order, none dropped; other
 * keys go on. Being keyed state, they are checkpointed with the events they release.
 */
final class DeferredTimers {

    /** The keyed state's name. */
    static final String STATE = "deferred-timers";

    /** How soon a key whose timers wait for a version first looks again. */
    static final long RETRY_MILLIS = 25;

    /**
     * The longest a waiting key goes between looks. A key looks again after a quarter of the time
     * it has waited so far, within these bounds: a short load is noticed soon, and thousands of
     * keys waiting for a long one do not keep the task busy looking.
     */
    static final long MAX_RETRY_MILLIS = 1_000;

    /** Runs the work of a deferred timer if its versions are ready; returns whether it ran. */
    @FunctionalInterface
    interface Work {
        boolean runIfReady(long timestamp) throws Exception;
    }

    private final ListState<Long> timestamps;

    /** Processing time at which the current key's first timer was deferred. */
    private final ValueState<Long> waitingSince;

    /**
     * Keys of this subtask with deferred timers; while 0, no timer looks at the state. -1: unknown
     * (a restore not counted), so every timer looks.
     */
    private long keysWaiting = -1;

    DeferredTimers(RuntimeContext context) {
        this.timestamps = context.getListState(new ListStateDescriptor<>(STATE, Types.LONG));
        this.waitingSince =
                context.getState(new ValueStateDescriptor<>(STATE + "-since", Types.LONG));
    }

    /** Whether the current key has deferred timers; costs nothing while no key has any. */
    boolean waiting() throws Exception {
        return keysWaiting != 0 && timestamps.get().iterator().hasNext();
    }

    /**
     * Defers the current key's timer at {@code timestamp} behind its earlier deferred ones; the
     * key's first schedules a retry.
     */
    void defer(long timestamp, TimerService timers) throws Exception {
        boolean first = !waiting();
        timestamps.add(timestamp);
        if (first) {
            if (keysWaiting >= 0) {
                keysWaiting++;
            }
            waitingSince.update(timers.currentProcessingTime());
            retryLater(timers);
        }
    }

    /**
     * Runs the current key's deferred timers, in order, up to the first whose versions are still
     * not ready; that one and the rest wait for the next retry.
     */
    void replay(Work work, TimerService timers) throws Exception {
        List<Long> waiting = new ArrayList<>();
        timestamps.get().forEach(waiting::add);
        if (waiting.isEmpty()) {
            return;
        }
        int done = 0;
        while (done < waiting.size() && work.runIfReady(waiting.get(done))) {
            done++;
        }
        if (done == waiting.size()) {
            timestamps.clear();
            waitingSince.clear();
            if (keysWaiting > 0) {
                keysWaiting--;
            }
        } else {
            timestamps.update(new ArrayList<>(waiting.subList(done, waiting.size())));
            retryLater(timers);
        }
    }

    /** Keys whose timers wait for a version, or -1 if unknown; for tests. */
    long keysWaiting() {
        return keysWaiting;
    }

    /** Called once the keyed state is restored: the keys that have deferred timers in it. */
    void restoredWaitingKeys(long count) {
        keysWaiting = count;
    }

    private void retryLater(TimerService timers) throws Exception {
        long now = timers.currentProcessingTime();
        Long since = waitingSince.value();
        long waited = since == null ? 0 : Math.max(0, now - since);
        long interval = Math.min(MAX_RETRY_MILLIS, Math.max(RETRY_MILLIS, waited / 4));
        timers.registerProcessingTimeTimer(now + interval);
    }
}
