package io.rnnstream.stream.registry;

import java.util.function.LongSupplier;

/**
 * Settles, outside any key, the model versions that wait for verification. The keys that need a
 * version look again by their own timers, but a refused version must be reported (by one subtask,
 * which may have no key waiting) and a version a restore brings back unverified must load, even
 * while no event arrives. Scheduled at most once at a time, the check runs after a delay and
 * schedules itself again while versions still wait. Operators register its runs with their
 * processing-time service, whose callbacks run on the task's mailbox thread, never concurrently
 * with the function.
 */
public final class VerificationCheck {

    /** Settles what it can; returns whether versions still wait for verification. */
    @FunctionalInterface
    public interface Settle {
        boolean settle() throws Exception;
    }

    /** One run of the check. */
    @FunctionalInterface
    public interface Run {
        void run() throws Exception;
    }

    /** Runs {@code run} on the task thread at processing time {@code time}. */
    @FunctionalInterface
    public interface Timers {
        void register(long time, Run run);
    }

    private final long delayMillis;
    private final LongSupplier now;
    private final Timers timers;
    private final Settle settle;
    private boolean scheduled;

    /**
     * @param delayMillis how long after being scheduled the check runs
     * @param now the operator's processing time
     */
    public VerificationCheck(long delayMillis, LongSupplier now, Timers timers, Settle settle) {
        this.delayMillis = delayMillis;
        this.now = now;
        this.timers = timers;
        this.settle = settle;
    }

    /** Schedules a run unless one is scheduled. */
    public void schedule() {
        if (scheduled) {
            return;
        }
        scheduled = true;
        timers.register(
                now.getAsLong() + delayMillis,
                () -> {
                    scheduled = false;
                    if (settle.settle()) {
                        schedule();
                    }
                });
    }
}
