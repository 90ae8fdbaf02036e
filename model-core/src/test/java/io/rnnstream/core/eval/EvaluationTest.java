package io.rnnstream.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationTest {

    private static final double TOLERANCE = 1e-12;

    /**
     * Rows are true labels, columns predictions:
     *
     * <pre>
     *            cat dog bird
     *   cat        3   1    0
     *   dog        2   2    0
     *   bird       0   1    1
     * </pre>
     */
    private static Evaluation catsDogsBirds() {
        Evaluation evaluation = new Evaluation(List.of("cat", "dog", "bird"));
        int[][] confusion = {{3, 1, 0}, {2, 2, 0}, {0, 1, 1}};
        for (int actual = 0; actual < 3; actual++) {
            for (int predicted = 0; predicted < 3; predicted++) {
                for (int n = 0; n < confusion[actual][predicted]; n++) {
                    evaluation.add(actual, predicted);
                }
            }
        }
        return evaluation;
    }

    @Test
    void computesAccuracyRecallPrecisionAndMacroF1FromTheConfusion() {
        Evaluation evaluation = catsDogsBirds();

        assertThat(evaluation.total()).isEqualTo(10);
        assertThat(evaluation.accuracy()).isCloseTo(6.0 / 10, within(TOLERANCE));
        assertThat(evaluation.recall(0)).isCloseTo(3.0 / 4, within(TOLERANCE));
        assertThat(evaluation.recall(1)).isCloseTo(2.0 / 4, within(TOLERANCE));
        assertThat(evaluation.recall(2)).isCloseTo(1.0 / 2, within(TOLERANCE));
        assertThat(evaluation.precision(0)).isCloseTo(3.0 / 5, within(TOLERANCE));
        assertThat(evaluation.precision(1)).isCloseTo(2.0 / 4, within(TOLERANCE));
        assertThat(evaluation.precision(2)).isCloseTo(1.0 / 1, within(TOLERANCE));
        double f1Cat = 2 * 0.6 * 0.75 / (0.6 + 0.75); // 2/3
        double f1Dog = 0.5;
        double f1Bird = 2 * 1.0 * 0.5 / (1.0 + 0.5); // 2/3
        assertThat(evaluation.f1(0)).isCloseTo(f1Cat, within(TOLERANCE));
        assertThat(evaluation.macroF1()).isCloseTo((f1Cat + f1Dog + f1Bird) / 3, within(TOLERANCE));
        assertThat(evaluation.confusionMatrix())
                .isDeepEqualTo(new long[][] {{3, 1, 0}, {2, 2, 0}, {0, 1, 1}});
    }

    @Test
    void classNeverPredictedOrNeverPresentScoresZeroNotNaN() {
        Evaluation evaluation = new Evaluation(List.of("a", "b", "c"));
        evaluation.add(0, 0);
        evaluation.add(1, 0);

        assertThat(evaluation.precision(1)).isZero();
        assertThat(evaluation.recall(2)).isZero();
        assertThat(evaluation.f1(2)).isZero();
        // F1: a = 2 * 0.5 * 1 / 1.5 = 2/3, b = 0, c = 0; the absent class still counts in the mean
        assertThat(evaluation.macroF1()).isCloseTo(2.0 / 9, within(TOLERANCE));
    }

    @Test
    void tableShowsSummaryPerClassScoresAndConfusion() {
        String table = catsDogsBirds().toTable();

        assertThat(table)
                .contains("sequences 10")
                .contains("accuracy 0.6000")
                .contains("macro-F1 0.6111");
        assertThat(table.lines())
                .anySatisfy(
                        line -> assertThat(line).matches("cat\\s+0\\.6000\\s+0\\.7500\\s+0\\.6667"))
                .anySatisfy(
                        line -> assertThat(line).matches("dog\\s+0\\.5000\\s+0\\.5000\\s+0\\.5000"))
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .matches("bird\\s+1\\.0000\\s+0\\.5000\\s+0\\.6667"))
                .anySatisfy(line -> assertThat(line).matches("dog\\s+2\\s+2\\s+0"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void mapCarriesTheSameFigures() {
        Evaluation evaluation = catsDogsBirds();
        Map<String, Object> map = evaluation.toMap();

        assertThat(map)
                .containsEntry("sequences", 10L)
                .containsEntry("accuracy", 0.6)
                .containsEntry("macroF1", evaluation.macroF1())
                .containsEntry("labels", List.of("cat", "dog", "bird"))
                .containsEntry(
                        "confusion",
                        List.of(List.of(3L, 1L, 0L), List.of(2L, 2L, 0L), List.of(0L, 1L, 1L)));
        Map<String, Map<String, Object>> perClass =
                (Map<String, Map<String, Object>>) map.get("perClass");
        assertThat(perClass.keySet()).containsExactly("cat", "dog", "bird");
        assertThat((double) perClass.get("cat").get("recall")).isCloseTo(0.75, within(TOLERANCE));
        assertThat((double) perClass.get("bird").get("precision"))
                .isCloseTo(1.0, within(TOLERANCE));
    }
}
