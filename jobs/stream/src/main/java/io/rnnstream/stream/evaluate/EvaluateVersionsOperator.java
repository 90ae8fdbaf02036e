package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.flink.KeyedBroadcastOperator;
import java.util.List;

/**
 * Runs {@link EvaluateVersions} like Flink's keyed broadcast operator, and before each checkpoint
 * barrier writes an evaluation record of every version whose figures changed since its last record.
 *
 * <p>Written before the barrier, a checkpoint's records belong to that checkpoint's Kafka
 * transaction and describe exactly the figures its state holds: a restore from it neither repeats
 * nor loses one. Flink's public function API has no hook before the barrier (a function's {@code
 * snapshotState} runs after it), hence this operator, on {@link KeyedBroadcastOperator}'s hook. Its
 * state is exactly the function's (same names, same broadcast state), so savepoints move between
 * this operator and Flink's.
 */
public final class EvaluateVersionsOperator
        extends KeyedBroadcastOperator<String, Outcome, RawRecord, EvaluationRecord> {

    private static final long serialVersionUID = 1L;

    public EvaluateVersionsOperator(EvaluateVersions function) {
        super(function, List.of(EvaluateVersions.ANNOUNCED));
    }

    @Override
    protected void beforeCheckpointBarrier() throws Exception {
        ((EvaluateVersions) function())
                .reportUnreported(
                        this::selectKey,
                        // No timestamp: the record describes the figures, not an event.
                        this::emitWithoutTimestamp);
    }
}
