package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default window: full BPTT while it fits the memory budget, the longest window beyond. */
class WindowPlanTest {

    private static final ModelSpec BASIC_MOTIONS =
            new ModelSpec(
                    CellType.LSTM, 1, 64, InputKind.FEATURES, 6, 0, List.of("a", "b", "c", "d"));

    @Test
    void sequencesOfHundredsOfStepsTrainWithFullBptt() {
        assertThat(WindowPlan.forwardLength(TrainingOptions.defaults(), BASIC_MOTIONS, 100))
                .isZero();
        assertThat(WindowPlan.forwardLength(TrainingOptions.defaults(), BASIC_MOTIONS, 5_000))
                .isZero();
    }

    @Test
    void aBatchBeyondTheBudgetTrainsInTheLongestWindowThatFits() {
        ModelSpec text =
                new ModelSpec(CellType.LSTM, 1, 256, InputKind.FEATURES, 65, 0, alphabet(65));
        TrainingOptions options = TrainingOptions.builder().batchSize(32).hiddenSize(256).build();

        int window = WindowPlan.forwardLength(options, text, 1_000_000);

        assertThat(window).isPositive().isLessThan(1_000_000);
        assertThat(window * WindowPlan.bytesPerStep(text, 32))
                .isLessThanOrEqualTo(WindowPlan.ACTIVATION_BUDGET_BYTES);
        assertThat((window + 1) * WindowPlan.bytesPerStep(text, 32))
                .isGreaterThan(WindowPlan.ACTIVATION_BUDGET_BYTES);
    }

    @Test
    void scoringRunsFewerSequencesAtOnceWhereTheirActivationsWouldExceedTheBudget() {
        assertThat(WindowPlan.evaluationBatch(BASIC_MOTIONS, 100, 128)).isEqualTo(128);

        int batch = WindowPlan.evaluationBatch(BASIC_MOTIONS, 5_000, 128);

        assertThat(batch).isBetween(TrainingOptions.defaults().batchSize(), 127);
        assertThat(batch * WindowPlan.bytesPerStep(BASIC_MOTIONS, 1) * 5_000)
                .isLessThanOrEqualTo(WindowPlan.ACTIVATION_BUDGET_BYTES);
        assertThat((batch + 1) * WindowPlan.bytesPerStep(BASIC_MOTIONS, 1) * 5_000)
                .isGreaterThan(WindowPlan.ACTIVATION_BUDGET_BYTES);
    }

    @Test
    void aGivenWindowIsKeptAndItsBackwardLengthCappedAtIt() {
        TrainingOptions options = TrainingOptions.builder().tbpttLength(50).build();

        assertThat(WindowPlan.forwardLength(options, BASIC_MOTIONS, 100)).isEqualTo(50);
        assertThat(WindowPlan.backwardLength(options, 50)).isZero();
        assertThat(WindowPlan.backwardLength(options.toBuilder().tbpttBackLength(20).build(), 50))
                .isEqualTo(20);
        assertThat(WindowPlan.backwardLength(options.toBuilder().tbpttBackLength(20).build(), 0))
                .as("full BPTT")
                .isZero();
    }

    private static List<String> alphabet(int size) {
        return java.util.stream.IntStream.range(0, size).mapToObj(i -> "c" + i).toList();
    }
}
