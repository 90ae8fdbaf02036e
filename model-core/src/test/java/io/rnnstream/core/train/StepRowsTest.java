package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Which rows of each step of a window the recurrent layers compute. */
class StepRowsTest {

    @Test
    void aBatchOrderedLongestFirstComputesOnlyItsValidSteps() {
        StepRows rows = StepRows.of(mask(new int[] {5, 3, 3, 1}, 6), 4, 6);

        assertThat(counts(rows)).containsExactly(4, 3, 3, 1, 1, 0);
        assertThat(rows.partial()).isTrue();
    }

    @Test
    void aRowThatIsValidLaterIsComputedAtEveryStepBeforeIt() {
        // Rows in any order: the last row is the longest, so every row runs to its end.
        StepRows rows = StepRows.of(mask(new int[] {2, 4, 1}, 4), 3, 4);

        assertThat(counts(rows)).containsExactly(3, 2, 2, 2);
    }

    @Test
    void aMaskWithAHoleKeepsTheRowThroughTheHole() {
        float[] mask = {1, 0, 0, 1, /* row 1 */ 1, 1, 0, 0};

        assertThat(counts(StepRows.of(mask, 2, 4))).containsExactly(2, 2, 1, 1);
    }

    @Test
    void withoutAMaskEveryRowOfEveryStepIsComputed() {
        StepRows rows = StepRows.of((INDArray) null, 3, 2);

        assertThat(counts(rows)).containsExactly(3, 3);
        assertThat(rows.partial()).isFalse();
    }

    @Test
    void aSliceOfStepsKeepsWhatLaterStepsOfTheWindowNeed() {
        StepRows rows = StepRows.of(mask(new int[] {6, 2}, 6), 2, 6);

        assertThat(counts(rows.steps(0, 3))).containsExactly(2, 2, 1);
        assertThat(counts(rows.steps(3, 6))).containsExactly(1, 1, 1);
    }

    @Test
    void aMaskOfTheWrongShapeIsRefused() {
        assertThatThrownBy(() -> StepRows.of(Nd4j.ones(DataType.FLOAT, 2, 5), 2, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a feature mask of [2, 4], got [2, 5]");
    }

    @Test
    void readsAFeatureMaskArray() {
        float[] mask = mask(new int[] {1, 3}, 3);

        StepRows rows = StepRows.of(Nd4j.create(mask, new long[] {2, 3}, 'c'), 2, 3);

        assertThat(counts(rows)).containsExactly(2, 2, 2);
    }

    /** A batch-major mask of sequences of {@code lengths}, aligned at their start. */
    private static float[] mask(int[] lengths, int steps) {
        float[] mask = new float[lengths.length * steps];
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                mask[b * steps + t] = 1;
            }
        }
        return mask;
    }

    private static int[] counts(StepRows rows) {
        return IntStream.range(0, rows.steps()).map(rows::at).toArray();
    }
}
