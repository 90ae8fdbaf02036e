package io.rnnstream.stream.classify;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.flink.KeyedBroadcastOperator;
import io.rnnstream.stream.registry.VerificationCheck;
import java.util.List;

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
 * <p>A batch begins and ends inside one watermark, so no checkpoint barrier can fall inside one;
 * the operator runs a batch before each barrier anyway, so a change to how timers fire cannot lose
 * steps silently. The state it keeps is exactly the function's (same names, same timers, same
 * broadcast state), so savepoints move between this operator and Flink's.
 *
 * <p>At start it counts the keys with sequence state (the sequences a restore brings back) for the
 * {@code openSequences} gauge, which the function's counters alone would start at zero, and the
 * keys whose timers wait for a model version to load, so the function knows when none does. It also
 * settles the versions that wait for verification outside any key ({@link VerificationCheck}), so a
 * refusal is reported while no event arrives.
 *
 * <p>Flink's internals stay behind {@link KeyedBroadcastOperator}; this class uses only the hooks
 * and services it offers.
 */
public final class SequenceClassifierOperator
        extends KeyedBroadcastOperator<String, Event, RawRecord, Classification> {

    private static final long serialVersionUID = 1L;

    private final boolean batchSteps;
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
    protected void onOpen() throws Exception {
        outputs =
                new SequenceClassifierFunction.Outputs(
                        this::emit,
                        (result, time) ->
                                emit(SequenceClassifierFunction.SHADOW_RESULTS, result, time),
                        (prediction, time) ->
                                emit(SequenceClassifierFunction.PREDICTIONS, prediction, time));
        if (batchSteps) {
            classifier().batchUntilRun(this::selectKey, outputs);
        }
        // After a restore (or a rescale) the keyed state already holds open sequences; the
        // function's counters cannot know them. Once per start, over this subtask's key groups.
        classifier()
                .restoredOpenSequences(
                        keysWithState(
                                SequenceClassifierFunction.SEQUENCE_STATE,
                                key -> StateKey.model((String) key)));
        // Keys whose timers wait for a version: while there are none, no timer looks for any.
        classifier().restoredWaitingKeys(keysWithState(DeferredTimers.STATE));
        loadCheck =
                new VerificationCheck(
                        DeferredTimers.RETRY_MILLIS,
                        this::currentProcessingTime,
                        (time, run) -> registerProcessingTimer(time, run::run),
                        this::settleVersions);
        // Once after a start: a restore may bring versions that must verify again.
        loadCheck.schedule();
    }

    @Override
    protected void afterBroadcastElement() {
        if (classifier().acceptedVersions().awaitsVerification()) {
            loadCheck.schedule();
        }
    }

    /**
     * Settles the versions that wait for verification from the task's mailbox, outside any key;
     * returns whether some still wait.
     */
    private boolean settleVersions() throws Exception {
        classifier()
                .acceptedVersions()
                .settle(
                        broadcastState(SequenceClassifierFunction.ACCEPTED_MODELS),
                        broadcastState(ModelVersions.ROLES),
                        broadcastState(UnverifiedVersions.UNVERIFIED),
                        letter -> emitWithoutTimestamp(DeadLetter.SIDE_OUTPUT, letter));
        return classifier().acceptedVersions().awaitsVerification();
    }

    @Override
    protected boolean runsAfterWatermarkTimers() {
        return batchSteps;
    }

    @Override
    protected void afterWatermarkTimers() throws Exception {
        classifier().runBatch(outputs);
    }

    @Override
    protected void beforeCheckpointBarrier() throws Exception {
        classifier().runBatch(outputs);
    }

    private SequenceClassifierFunction classifier() {
        return (SequenceClassifierFunction) function();
    }
}
