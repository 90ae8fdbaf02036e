package io.rnnstream.stream.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The evaluation records of {@link EvaluateVersionsOperator} (Flink's keyed broadcast harness):
 * every {@code every} labelled sequences of a version, and before each checkpoint barrier for each
 * version whose figures changed since its last record, never twice for the same figures, and
 * continuing from the restored figures after a restore; a retired shadow is never promoted.
 */
class EvaluateVersionsTest {

    private static final String[] LABELS = {"a", "b"};
    private static final PromotionPolicy MANUAL = new PromotionPolicy(false, 1, 0, 0.95);

    private KeyedBroadcastOperatorTestHarness<String, Outcome, RawRecord, EvaluationRecord> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void eachVersionWhoseFiguresChangedGetsOneRecordAtTheCheckpointWithItsFiguresThen()
            throws Exception {
        harness = open(10, null);
        process(
                outcome("m", 1, ModelRole.SERVING, "a", "a", "a"),
                outcome("m", 1, ModelRole.SERVING, "b", "a", "a"),
                outcome("m", 2, ModelRole.SHADOW, "b", "b", "a"),
                outcome("n", 1, ModelRole.SERVING, "b", "b", "b"));
        assertThat(records()).as("no version reached 10 labelled sequences").isEmpty();

        harness.prepareSnapshotPreBarrier(1);

        assertThat(records())
                .extracting(EvaluateVersionsTest::describe)
                .containsExactly(
                        "checkpoint m v1 serving labelled 2 correct 1",
                        "checkpoint m v2 shadow labelled 1 correct 1",
                        "checkpoint n v1 serving labelled 1 correct 1");
        EvaluationRecord shadow = records().get(1);
        assertThat(shadow.servingVersion()).isEqualTo(1);
        assertThat(shadow.shadowOnlyRight()).isEqualTo(1);
        assertThat(shadow.servingAccuracy()).isZero();

        harness.getOutput().clear();
        harness.prepareSnapshotPreBarrier(2);
        assertThat(records()).as("nothing changed since the last checkpoint").isEmpty();
    }

    @Test
    void aVersionJustReportedEveryNSequencesIsNotReportedAgainAtTheCheckpoint() throws Exception {
        harness = open(2, null);
        process(
                outcome("m", 1, ModelRole.SERVING, "a", "a", "a"),
                outcome("m", 1, ModelRole.SERVING, "a", "b", "b"));
        harness.prepareSnapshotPreBarrier(1);

        assertThat(records())
                .extracting(EvaluateVersionsTest::describe)
                .containsExactly("every m v1 serving labelled 2 correct 1");

        harness.processElement(outcome("m", 1, ModelRole.SERVING, "b", "b", "b"), 0);
        harness.prepareSnapshotPreBarrier(2);
        assertThat(records())
                .extracting(EvaluateVersionsTest::describe)
                .containsExactly(
                        "every m v1 serving labelled 2 correct 1",
                        "checkpoint m v1 serving labelled 3 correct 2");
    }

    @Test
    void afterARestoreTheFiguresContinueAndOnlyWhatChangedSinceTheCheckpointIsReported()
            throws Exception {
        harness = open(10, null);
        process(
                outcome("m", 1, ModelRole.SERVING, "a", "a", "a"),
                outcome("m", 2, ModelRole.SHADOW, "a", "b", "a"));
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState checkpoint = harness.snapshot(1, 1);
        // After the checkpoint, lost in the failure: replayed from the sources after the restore.
        harness.processElement(outcome("m", 1, ModelRole.SERVING, "b", "b", "b"), 0);
        harness.close();

        harness = open(10, checkpoint);
        harness.processElement(outcome("m", 1, ModelRole.SERVING, "b", "b", "b"), 0);
        harness.prepareSnapshotPreBarrier(2);

        assertThat(records())
                .extracting(EvaluateVersionsTest::describe)
                .containsExactly("checkpoint m v1 serving labelled 2 correct 2");
    }

    @Test
    void aRetiredShadowIsNeverPromotedWhateverItsFigures() throws Exception {
        PromotionPolicy eager = new PromotionPolicy(true, 3, 0, 0.6);
        for (boolean retired : new boolean[] {false, true}) {
            harness = open(10, null, eager);
            announce(ModelRole.SERVING, 1);
            announce(ModelRole.SHADOW, 2);
            if (retired) {
                announce(ModelRole.RETIRED, 2);
            }
            for (int i = 0; i < 3; i++) {
                // The shadow right, serving wrong: b = 3, c = 0, p = 1/8 <= 1 - 0.6.
                process(outcome("m", 2, ModelRole.SHADOW, "a", "a", "b"));
            }
            List<String> decisions =
                    records().stream()
                            .filter(r -> r.type().equals("decision"))
                            .map(r -> r.decision() + " v" + r.version())
                            .toList();
            var promotions = harness.getSideOutput(EvaluateVersions.PROMOTIONS);
            if (retired) {
                assertThat(decisions).as("retired").isEmpty();
                assertThat(promotions).as("retired").isNullOrEmpty();
            } else {
                assertThat(decisions).as("running").containsExactly("promote v2");
                assertThat(promotions).as("running").hasSize(1);
            }
            harness.close();
            harness = null;
        }
    }

    private void announce(ModelRole role, long version) throws Exception {
        ModelAnnouncement announcement =
                new ModelAnnouncement("m", version, "file:///m/" + version, "0".repeat(64));
        harness.processBroadcastElement(
                new RawRecord(
                        null,
                        AnnouncementParser.toJson(new RoleAnnouncement(announcement, role, false)),
                        "models",
                        0,
                        0,
                        0),
                0);
    }

    private KeyedBroadcastOperatorTestHarness<String, Outcome, RawRecord, EvaluationRecord> open(
            long every, OperatorSubtaskState restored) throws Exception {
        return open(every, restored, MANUAL);
    }

    private KeyedBroadcastOperatorTestHarness<String, Outcome, RawRecord, EvaluationRecord> open(
            long every, OperatorSubtaskState restored, PromotionPolicy policy) throws Exception {
        KeyedBroadcastOperatorTestHarness<String, Outcome, RawRecord, EvaluationRecord> opened =
                new KeyedBroadcastOperatorTestHarness<>(
                        new EvaluateVersionsOperator(new EvaluateVersions(every, policy)),
                        Outcome::model,
                        Types.STRING,
                        1,
                        1,
                        0);
        if (restored != null) {
            opened.initializeState(restored);
        }
        opened.open();
        return opened;
    }

    private void process(Outcome... outcomes) throws Exception {
        for (Outcome outcome : outcomes) {
            harness.processElement(outcome, 0);
        }
    }

    private List<EvaluationRecord> records() {
        return harness.getOutput().stream()
                .filter(StreamRecord.class::isInstance)
                .map(r -> (EvaluationRecord) ((StreamRecord<?>) r).getValue())
                .toList();
    }

    private static String describe(EvaluationRecord r) {
        return r.trigger()
                + " "
                + r.model()
                + " v"
                + r.version()
                + " "
                + r.role()
                + " labelled "
                + r.labelled()
                + " correct "
                + r.correct();
    }

    private static Outcome outcome(
            String model,
            long version,
            ModelRole role,
            String truth,
            String predicted,
            String servingPredicted) {
        return new Outcome(model, version, role, truth, predicted, 1, servingPredicted, LABELS);
    }
}
