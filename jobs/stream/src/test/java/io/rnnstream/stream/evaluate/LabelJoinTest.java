package io.rnnstream.stream.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.classify.Prediction;
import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.model.ModelRole;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The label join (Flink's keyed two-input harness): a label pairs with the serving and shadow
 * predictions of its key and sequence in either order and leaves nothing behind; a label or a
 * prediction without partner is gone, with its timer, after the TTL.
 */
class LabelJoinTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String[] LABELS = {"a", "b"};

    private KeyedTwoInputStreamOperatorTestHarness<String, Prediction, Label, Outcome> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new LabelJoin(TTL)),
                        p -> StateKey.of(p.model(), p.entity()),
                        l -> StateKey.of(l.model(), l.entity()),
                        Types.STRING);
        harness.setProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aLabelThatArrivesFirstPairsWithEveryVersionOfItsSequence() throws Exception {
        harness.processElement2(label("k", "seq:1", "a"), 0);
        harness.processElement1(prediction("k", "seq:2", 2, ModelRole.SHADOW, "a"), 0);
        harness.processElement1(prediction("k", "seq:1", 2, ModelRole.SHADOW, "b"), 0);
        harness.processElement1(prediction("k", "seq:1", 3, ModelRole.SHADOW, "a"), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement1(prediction("k", "seq:1", 1, ModelRole.SERVING, "b"), 0);

        assertThat(harness.extractOutputValues())
                .extracting(
                        o ->
                                o.version()
                                        + " "
                                        + o.role().code()
                                        + " "
                                        + o.predicted()
                                        + "/"
                                        + o.servingPredicted()
                                        + " truth "
                                        + o.truth())
                .containsExactly(
                        "1 serving b/b truth a", "2 shadow b/b truth a", "3 shadow a/b truth a");
        assertThat(entries()).as("the other sequence waits").isPositive();
    }

    @Test
    void aLabelThatArrivesLastCompletesThePairAndLeavesNothing() throws Exception {
        harness.processElement1(prediction("k", "ts:99", 2, ModelRole.SHADOW, "a"), 0);
        harness.processElement1(prediction("k", "ts:99", 1, ModelRole.SERVING, "a"), 0);
        harness.setProcessingTime(1_000);
        harness.processElement2(label("k", "ts:99", "a"), 0);

        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(entries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void labelsAndPredictionsWithoutPartnerLeaveNoStateAfterTheTtl() throws Exception {
        harness.processElement2(label("k", "seq:lonely-label", "a"), 0);
        harness.setProcessingTime(1);
        harness.processElement1(prediction("k", "seq:lonely-result", 1, ModelRole.SERVING, "a"), 0);
        harness.processElement1(prediction("other", "seq:x", 2, ModelRole.SHADOW, "a"), 0);
        assertThat(entries()).isPositive();

        harness.setProcessingTime(TTL.toMillis() - 1);
        assertThat(entries()).as("before the TTL").isPositive();
        harness.setProcessingTime(TTL.toMillis() + 1);

        assertThat(entries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.extractOutputValues()).isEmpty();
        // A label arriving after its prediction expired waits on its own, and expires too.
        harness.processElement2(label("k", "seq:lonely-result", "a"), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(3 * TTL.toMillis());
        assertThat(entries()).isZero();
    }

    private long entries() {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    private static Label label(String entity, String pairId, String label) {
        return new Label("m", entity, pairId, label);
    }

    private static Prediction prediction(
            String entity, String pairId, long version, ModelRole role, String label) {
        return new Prediction("m", entity, pairId, version, role, label, LABELS);
    }
}
