package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.eval.Evaluation;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyIntervalTest {

    @Test
    void matchesTheWilsonIntervalComputedByHand() {
        // 8 of 10: centre (0.8 + z^2/20) / (1 + z^2/10), half-width
        // z / (1 + z^2/10) * sqrt(0.8 * 0.2 / 10 + z^2 / 400), z = 1.96.
        AccuracyInterval interval = AccuracyInterval.of(8, 10);
        assertThat(interval.low()).isCloseTo(0.4902, within(1e-4));
        assertThat(interval.high()).isCloseTo(0.9433, within(1e-4));
        assertThat(interval.bounds()).containsExactly(0.4902, 0.9433);
    }

    @Test
    void staysInsideZeroToOneAndKeepsWidthAtTheEdges() {
        AccuracyInterval none = AccuracyInterval.of(0, 10);
        assertThat(none.low()).isZero();
        assertThat(none.high()).isCloseTo(0.2775, within(1e-4));
        AccuracyInterval all = AccuracyInterval.of(10, 10);
        assertThat(all.low()).isCloseTo(0.7225, within(1e-4));
        assertThat(all.high()).isEqualTo(1.0);
    }

    @Test
    void narrowsWithTheSquareRootOfTheHoldout() {
        double small = width(AccuracyInterval.of(32, 40));
        double large = width(AccuracyInterval.of(1280, 1600));
        assertThat(small / large).isCloseTo(Math.sqrt(1600 / 40.0), within(0.5));
        assertThat(large).isCloseTo(2 * 1.96 * 0.01, within(5e-4));
    }

    @Test
    void countsTheDiagonalOfTheConfusionMatrix() {
        Evaluation evaluation = new Evaluation(List.of("a", "b"));
        evaluation.add(0, 0);
        evaluation.add(0, 1);
        evaluation.add(1, 1);
        evaluation.add(1, 1);
        AccuracyInterval interval = AccuracyInterval.of(evaluation);
        assertThat(interval.accuracy()).isEqualTo(0.75);
        assertThat(interval.sequences()).isEqualTo(4);
        assertThat(interval.describe()).startsWith("accuracy 0.7500 (95% Wilson 0.");
    }

    private static double width(AccuracyInterval interval) {
        return interval.high() - interval.low();
    }
}
