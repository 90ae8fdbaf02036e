package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.registry.VerificationCheck;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs a {@link LanguageModelFunction} like Flink's keyed broadcast operator, and also settles the
 * versions that wait for verification outside any key ({@link VerificationCheck}), so that a
 * refusal is reported and a version a restore brings back unverified loads while no event arrives.
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

    /** Settles the versions that wait for verification while no event arrives. */
    private transient VerificationCheck loadCheck;

    public LanguageModelOperator(LanguageModelFunction function) {
        super(function, LanguageModelFunction.BROADCAST_STATES);
    }

    @Override
    public void open() throws Exception {
        super.open();
        loadCheck =
                new VerificationCheck(
                        LanguageModelFunction.RETRY_INTERVAL_MS,
                        getProcessingTimeService()::getCurrentProcessingTime,
                        (time, run) ->
                                getProcessingTimeService().registerTimer(time, t -> run.run()),
                        this::settleVersions);
        // Once after a start: a restore may bring versions that must verify again.
        loadCheck.schedule();
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) throws Exception {
        super.processElement2(element);
        if (function().awaitsVerification()) {
            loadCheck.schedule();
        }
    }

    /** Settles the versions whose loads finished, outside any key; whether some still wait. */
    private boolean settleVersions() throws Exception {
        function()
                .settle(
                        broadcastState(LanguageModelFunction.ACCEPTED_LANGUAGE_MODELS),
                        broadcastState(LanguageModelVersions.RECORDS),
                        letter ->
                                output.collect(DeadLetter.SIDE_OUTPUT, new StreamRecord<>(letter)));
        return function().awaitsVerification();
    }

    private <K, V> BroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
            throws Exception {
        return getOperatorStateBackend().getBroadcastState(descriptor);
    }

    private LanguageModelFunction function() {
        return (LanguageModelFunction) userFunction;
    }
}
