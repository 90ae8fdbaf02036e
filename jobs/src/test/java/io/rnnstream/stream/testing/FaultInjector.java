package io.rnnstream.stream.testing;

import io.rnnstream.stream.event.RawRecord;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * A tap chained to the events source: slows records down so checkpoints interleave with them,
 * records how often tasks were restarted, and, when armed, throws once after a checkpoint has
 * completed. State is static because the MiniCluster runs in the test's JVM.
 */
public final class FaultInjector extends RichMapFunction<RawRecord, RawRecord>
        implements CheckpointListener {

    public static final AtomicBoolean ARMED = new AtomicBoolean();
    public static final AtomicBoolean FIRED = new AtomicBoolean();
    public static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
    private static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();

    private final long sleepEveryRecords;
    private final int failAfterRecords;
    private transient int seen;

    public FaultInjector(long sleepEveryRecords, int failAfterRecords) {
        this.sleepEveryRecords = sleepEveryRecords;
        this.failAfterRecords = failAfterRecords;
    }

    public static void reset(boolean armed) {
        ARMED.set(armed);
        FIRED.set(false);
        MAX_ATTEMPT.set(0);
        COMPLETED_CHECKPOINTS.set(0);
    }

    @Override
    public void open(OpenContext context) {
        MAX_ATTEMPT.accumulateAndGet(
                getRuntimeContext().getTaskInfo().getAttemptNumber(), Math::max);
    }

    @Override
    public RawRecord map(RawRecord record) throws Exception {
        seen++;
        if (sleepEveryRecords > 0 && seen % sleepEveryRecords == 0) {
            Thread.sleep(1);
        }
        if (ARMED.get()
                && seen >= failAfterRecords
                && COMPLETED_CHECKPOINTS.get() > 0
                && FIRED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after a completed checkpoint");
        }
        return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        COMPLETED_CHECKPOINTS.incrementAndGet();
    }
}
