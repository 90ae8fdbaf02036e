package io.rnnstream.stream.classify;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.registry.VerificationCheck;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs a {@link SequenceClassifierFunction} like Flink's keyed broadcast operator, and with step
 * batching on, steps together every key whose timers fire in one watermark advance.
 *
 * <p>Events wait in keyed state for the watermark (so each key applies them in event-time order);
 * one watermark advance releases them for many keys at once. This operator lets the timers of the
 * advance queue their steps, then runs them as one mini-batch ({@link StepBatch}) and only then
 * forwards the watermark (an advance that releases more than {@link StepBatch#MAX_QUEUED_STEPS}
 * steps runs in several batches, so a backlog does not wait in memory). Batching therefore adds no
 * waiting: no event is held longer than the watermark already holds it, and results still precede
 * the watermark that released them.
 *
 * <p>A batch begins and ends inside one call of {@link #processWatermark}, so no checkpoint barrier
 * can fall inside one; {@link #prepareSnapshotPreBarrier} runs a batch anyway, so a change to how
 * timers fire cannot lose steps silently. The state it keeps is exactly the function's (same names,
 * same timers, same broadcast state), so savepoints move between this operator and Flink's.
 *
 * <p>At start it counts the keys with sequence state (the sequences a restore brings back) for the
 * {@code openSequences} gauge, which the function's counters alone would start at zero, and the
 * keys whose timers wait for a model version to load, so the function knows when none does.
 *
 * <p>This class and {@code EvaluateVersionsOperator} are the classes of rnnstream that touch Flink
 * types marked {@code @Internal}, which may change in any Flink release: {@code
 * CoBroadcastWithKeyedOperator} (extended, with its {@code timeServiceManager}, {@code output},
 * {@code userFunction} and keyed state backend's {@code getKeys}), {@code VoidNamespace}, {@code
 * TimestampedCollector}, and {@code PojoSerializerSnapshot} ({@link
 * #writtenByFlinksPojoSerializer}). The ArchitectureTests hold everything else to Flink's public
 * API; {@code FlinkInternalsUpgradeTest} lists what to check when Flink's version changes.
 */
public final class SequenceClassifierOperator
        extends CoBroadcastWithKeyedOperator<String, Event, RawRecord, Classification> {

    private static final long serialVersionUID = 1L;

    private final boolean batchSteps;
    private transient TimestampedCollector<Classification> results;
    private transient SequenceClassifierFunction.Outputs outputs;

    /** Settles the versions that wait for verification while no event arrives. */
    private transient VerificationCheck loadCheck;

    /**
     * Batches as the function's settings say ({@link ClassifierSettings#batchSteps()}; false: each
     * key when its timer fires, as Flink's operator would).
     */
    public SequenceClassifierOperator(SequenceClassifierFunction function) {
        super(
                function,
                List.of(
                        SequenceClassifierFunction.ACCEPTED_MODELS,
                        ModelVersions.ROLES,
                        UnverifiedVersions.UNVERIFIED));
        this.batchSteps = function.batchesSteps();
    }

    @Override
    public void open() throws Exception {
        super.open();
        results = new TimestampedCollector<>(output);
        outputs =
                new SequenceClassifierFunction.Outputs(
                        this::emit,
                        (result, time) ->
                                output.collect(
                                        SequenceClassifierFunction.SHADOW_RESULTS,
                                        new StreamRecord<>(result, time)),
                        (prediction, time) ->
                                output.collect(
                                        SequenceClassifierFunction.PREDICTIONS,
                                        new StreamRecord<>(prediction, time)));
        if (batchSteps) {
            function().batchUntilRun(this::setCurrentKey, outputs);
        }
        // After a restore (or a rescale) the keyed state already holds open sequences; the
        // function's counters cannot know them. Once per start, over this subtask's key groups.
        try (Stream<?> open =
                getKeyedStateBackend()
                        .getKeys(
                                SequenceClassifierFunction.SEQUENCE_STATE,
                                VoidNamespace.INSTANCE)) {
            function().restoredOpenSequences(open.count());
        }
        // Keys whose timers wait for a version: while there are none, no timer looks for any.
        try (Stream<?> waiting =
                getKeyedStateBackend().getKeys(DeferredTimers.STATE, VoidNamespace.INSTANCE)) {
            function().restoredWaitingKeys(waiting.count());
        }
        loadCheck =
                new VerificationCheck(
                        DeferredTimers.RETRY_MILLIS,
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
        if (function().acceptedVersions().awaitsVerification()) {
            loadCheck.schedule();
        }
    }

    /**
     * Settles the versions that wait for verification from the task's mailbox, outside any key;
     * returns whether some still wait.
     */
    private boolean settleVersions() throws Exception {
        function()
                .acceptedVersions()
                .settle(
                        broadcastState(SequenceClassifierFunction.ACCEPTED_MODELS),
                        broadcastState(ModelVersions.ROLES),
                        broadcastState(UnverifiedVersions.UNVERIFIED),
                        letter ->
                                output.collect(DeadLetter.SIDE_OUTPUT, new StreamRecord<>(letter)));
        return function().acceptedVersions().awaitsVerification();
    }

    private <K, V> BroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
            throws Exception {
        return getOperatorStateBackend().getBroadcastState(descriptor);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (!batchSteps) {
            super.processWatermark(mark);
            return;
        }
        // Flink's own order (fire due timers, forward the watermark) with the batch in between.
        // Interruptible timers (useInterruptibleTimers) stay off: they could split an advance.
        if (timeServiceManager != null) {
            timeServiceManager.advanceWatermark(mark);
        }
        runBatch();
        output.emitWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        runBatch();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    private void runBatch() throws Exception {
        function().runBatch(outputs);
    }

    private void emit(Classification result, long timestamp) {
        results.setAbsoluteTimestamp(timestamp);
        results.collect(result);
    }

    /**
     * Whether {@code snapshot} describes state written by Flink's POJO serializer, as release 0.1.0
     * wrote {@link SequenceState} ({@link SequenceStateSerializerSnapshot} migrates it).
     */
    static boolean writtenByFlinksPojoSerializer(TypeSerializerSnapshot<?> snapshot) {
        return snapshot instanceof PojoSerializerSnapshot;
    }

    private SequenceClassifierFunction function() {
        return (SequenceClassifierFunction) userFunction;
    }
}
