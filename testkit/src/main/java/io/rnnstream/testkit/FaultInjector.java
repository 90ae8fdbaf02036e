package io.rnnstream.testkit;

import io.rnnstream.stream.event.RawRecord;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * A tap chained to the events source: slows records down so checkpoints interleave with them,
 * records how often tasks were restarted, and, when armed, throws once after a checkpoint has
 * completed, either while mapping a record or while taking a checkpoint. State is static because
 * the MiniCluster runs in the test's JVM.
 */
public final class FaultInjector extends RichMapFunction<RawRecord, RawRecord>
        implements CheckpointListener, CheckpointedFunction {

    public static final AtomicBoolean ARMED = new AtomicBoolean();
    public static final AtomicBoolean FIRED = new AtomicBoolean();
    public static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
    private static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();
    private static final AtomicLong RECORDS = new AtomicLong();
    private static final AtomicInteger SNAPSHOTS = new AtomicInteger();

    private final long sleepEveryRecords;
    private final int failAfterRecords;
    private final boolean failInCheckpoint;
    private transient int seen;

    /** Fails (when armed) while mapping the record after {@code failAfterRecords}. */
    public FaultInjector(long sleepEveryRecords, int failAfterRecords) {
        this(sleepEveryRecords, failAfterRecords, false);
    }

    private FaultInjector(long sleepEveryRecords, int failAfterRecords, boolean failInCheckpoint) {
        this.sleepEveryRecords = sleepEveryRecords;
        this.failAfterRecords = failAfterRecords;
        this.failInCheckpoint = failInCheckpoint;
    }

    /**
     * Fails (when armed) in the first checkpoint taken after {@code failAfterRecords} records and
     * after an earlier checkpoint completed, so that checkpoint is never completed.
     */
    public static FaultInjector failingInCheckpoint(long sleepEveryRecords, int failAfterRecords) {
        return new FaultInjector(sleepEveryRecords, failAfterRecords, true);
    }

    public static void reset(boolean armed) {
        ARMED.set(armed);
        FIRED.set(false);
        MAX_ATTEMPT.set(0);
        COMPLETED_CHECKPOINTS.set(0);
        RECORDS.set(0);
        SNAPSHOTS.set(0);
    }

    /**
     * Whether a checkpoint has started on some tap but not completed, so that arming a
     * failing-in-checkpoint tap now could let that checkpoint commit first. Only meaningful while
     * no checkpoint has failed since {@link #reset}.
     */
    public static boolean checkpointInFlight() {
        return SNAPSHOTS.get() > COMPLETED_CHECKPOINTS.get();
    }

    /**
     * Waits until the taps passed at least {@code records} records since {@link #reset} and then
     * checkpoints completed on every subtask, so the state those records built is in a completed
     * checkpoint.
     */
    public static void awaitCheckpointAfter(long records, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitRecords(records, timeout);
        int before = COMPLETED_CHECKPOINTS.get();
        while (COMPLETED_CHECKPOINTS.get() < before + 3) {
            waitOrFail(deadline, "no checkpoint completed after " + records + " records");
        }
    }

    /** Waits until the taps passed at least {@code records} records since {@link #reset}. */
    public static void awaitRecords(long records, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (RECORDS.get() < records) {
            waitOrFail(deadline, "the events tap saw " + RECORDS.get() + " of " + records);
        }
    }

    private static void waitOrFail(long deadline, String problem) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new AssertionError(problem);
        }
        Thread.sleep(50);
    }

    @Override
    public void open(OpenContext context) {
        MAX_ATTEMPT.accumulateAndGet(
                getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
    }

    @Override
    public RawRecord map(RawRecord record) throws Exception {
        seen++;
        RECORDS.incrementAndGet();
        if (sleepEveryRecords > 0 && seen % sleepEveryRecords == 0) {
            Thread.sleep(1);
        }
        if (!failInCheckpoint && due()) {
            throw new IllegalStateException("injected failure after a completed checkpoint");
        }
        return record;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        SNAPSHOTS.incrementAndGet();
        if (failInCheckpoint && due()) {
            throw new IllegalStateException(
                    "injected failure while taking checkpoint " + context.getCheckpointId());
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    private boolean due() {
        return ARMED.get()
                && seen >= failAfterRecords
                && COMPLETED_CHECKPOINTS.get() > 0
                && FIRED.compareAndSet(false, true);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        COMPLETED_CHECKPOINTS.incrementAndGet();
    }
}
