package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.flink.KeyedBroadcastOperator;
import io.rnnstream.stream.registry.VerificationCheck;

/**
 * Runs a {@link LanguageModelFunction} like Flink's keyed broadcast operator, and also settles the
 * versions that wait for verification outside any key ({@link VerificationCheck}), so that a
 * refusal is reported and a version a restore brings back unverified loads while no event arrives.
 * The state it keeps is exactly the function's, so savepoints move between this operator and
 * Flink's. Flink's internals stay behind {@link KeyedBroadcastOperator}.
 */
public final class LanguageModelOperator
        extends KeyedBroadcastOperator<String, Event, RawRecord, Prediction> {

    private static final long serialVersionUID = 1L;

    /** Settles the versions that wait for verification while no event arrives. */
    private transient VerificationCheck loadCheck;

    public LanguageModelOperator(LanguageModelFunction function) {
        super(function, LanguageModelFunction.BROADCAST_STATES);
    }

    @Override
    protected void onOpen() {
        loadCheck =
                new VerificationCheck(
                        LanguageModelFunction.RETRY_INTERVAL_MS,
                        this::currentProcessingTime,
                        (time, run) -> registerProcessingTimer(time, run::run),
                        this::settleVersions);
        // Once after a start: a restore may bring versions that must verify again.
        loadCheck.schedule();
    }

    @Override
    protected void afterBroadcastElement() {
        if (languageModels().awaitsVerification()) {
            loadCheck.schedule();
        }
    }

    /** Settles the versions whose loads finished, outside any key; whether some still wait. */
    private boolean settleVersions() throws Exception {
        languageModels()
                .settle(
                        broadcastState(LanguageModelFunction.ACCEPTED_LANGUAGE_MODELS),
                        broadcastState(LanguageModelVersions.RECORDS),
                        letter -> emitWithoutTimestamp(DeadLetter.SIDE_OUTPUT, letter));
        return languageModels().awaitsVerification();
    }

    private LanguageModelFunction languageModels() {
        return (LanguageModelFunction) function();
    }
}
