package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.event.RawRecord;
import java.util.List;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link EvaluateVersions} like Flink's keyed broadcast operator, and before each checkpoint
 * barrier writes an evaluation record of every version whose figures changed since its last record.
 *
 * <p>Written before the barrier, a checkpoint's records belong to that checkpoint's Kafka
 * transaction and describe exactly the figures its state holds: a restore from it neither repeats
 * nor loses one. Flink's public function API has no hook before the barrier (a function's {@code
 * snapshotState} runs after it), hence this operator.
 *
 * <p>Like {@code SequenceClassifierOperator}, it touches Flink types marked {@code @Internal}
 * ({@code CoBroadcastWithKeyedOperator}, extended with its {@code output} and {@code userFunction},
 * and {@code StreamRecord}); its state is exactly the function's (same names, same broadcast
 * state), so savepoints move between this operator and Flink's. {@code FlinkInternalsUpgradeTest}
 * lists what to check when Flink's version changes.
 */
public final class EvaluateVersionsOperator
        extends CoBroadcastWithKeyedOperator<String, Outcome, RawRecord, EvaluationRecord> {

    private static final long serialVersionUID = 1L;

    public EvaluateVersionsOperator(EvaluateVersions function) {
        super(function, List.of(EvaluateVersions.ANNOUNCED));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        ((EvaluateVersions) userFunction)
                .reportUnreported(
                        this::setCurrentKey,
                        // No timestamp: the record describes the figures, not an event.
                        record -> output.collect(new StreamRecord<>(record)));
        super.prepareSnapshotPreBarrier(checkpointId);
    }
}
