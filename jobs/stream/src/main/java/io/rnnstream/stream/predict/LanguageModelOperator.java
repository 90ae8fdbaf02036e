package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs a {@link LanguageModelFunction} like Flink's keyed broadcast operator, and also settles the
 * versions that wait for verification outside any key: the keys that need a version look again by
 * their own timers, but a refused version must be reported (by one subtask, which may have no key
 * waiting) and a version a restore brings back unverified must load, even while no event arrives.
 * The state it keeps is exactly the function's, so savepoints move between this operator and
 * Flink's.
 *
 * <p>Like {@code SequenceClassifierOperator}, it extends Flink's {@code @Internal} {@code
 * CoBroadcastWithKeyedOperator} and uses its processing-time service and {@code StreamRecord};
 * {@code FlinkInternalsUpgradeTest} lists what to check when Flink's version changes.
 */
public final class LanguageModelOperator
        extends CoBroadcastWithKeyedOperator<String, Event, RawRecord, Prediction> {

    private static final long serialVersionUID = 1L;

    /** Whether a check of the version loads is scheduled. */
    private transient boolean loadCheckScheduled;

    public LanguageModelOperator(LanguageModelFunction function) {
        super(function, LanguageModelFunction.BROADCAST_STATES);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Once after a start: a restore may bring versions that must verify again.
        scheduleLoadCheck();
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        super.processElement2(element);
        if (function().awaitsVerification()) {
            scheduleLoadCheck();
        }
    }

    private void scheduleLoadCheck() {
        if (loadCheckScheduled) {
            return;
        }
        loadCheckScheduled = true;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService()
                .registerTimer(
                        now + LanguageModelFunction.RETRY_INTERVAL_MS,
                        time -> {
                            loadCheckScheduled = false;
                            function()
                                    .settle(
                                            broadcastState(
                                                    LanguageModelFunction.ACCEPTED_LANGUAGE_MODELS),
                                            broadcastState(LanguageModelVersions.RECORDS),
                                            letter ->
                                                    output.collect(
                                                            DeadLetter.SIDE_OUTPUT,
                                                            new StreamRecord<>(letter)));
                            if (function().awaitsVerification()) {
                                scheduleLoadCheck();
                            }
                        });
    }

    private <K, V> BroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
            throws Exception {
        return getOperatorStateBackend().getBroadcastState(descriptor);
    }

    private LanguageModelFunction function() {
        return (LanguageModelFunction) userFunction;
    }
}
