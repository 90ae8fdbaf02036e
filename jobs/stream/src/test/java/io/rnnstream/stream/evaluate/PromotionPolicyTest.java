package io.rnnstream.stream.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.eval.Evaluation;
import io.rnnstream.stream.model.ModelRole;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The promotion policy and its statistics: the exact sign test against binomial sums worked by
 * hand, promotion at the configured evidence and not one sequence before, never for a shadow that
 * is not better, and live macro-F1 equal to model-core's offline {@link Evaluation}.
 */
class PromotionPolicyTest {

    private static final String[] LABELS = {"a", "b", "c"};

    @Test
    void theSignTestIsTheUpperBinomialTail() {
        // 10 discordant sequences: P(X >= 9) = (C(10,9) + C(10,10)) / 2^10 = 11 / 1024.
        assertThat(SignTest.oneSidedP(9, 1)).isCloseTo(11.0 / 1024, Offset.offset(1e-12));
        // P(X >= 8) = (45 + 10 + 1) / 1024.
        assertThat(SignTest.oneSidedP(8, 2)).isCloseTo(56.0 / 1024, Offset.offset(1e-12));
        assertThat(SignTest.oneSidedP(0, 5)).isEqualTo(1.0);
        assertThat(SignTest.oneSidedP(0, 0)).isEqualTo(1.0);
        // Large counts stay finite and tiny where 2^-n would underflow a double.
        assertThat(SignTest.oneSidedP(1500, 0)).isGreaterThanOrEqualTo(0).isLessThan(1e-300);
        assertThat(SignTest.oneSidedP(1000, 1000)).isCloseTo(0.5, Offset.offset(0.02));
    }

    @Test
    void promotesAtTheConfiguredEvidenceAndNotOneSequenceBefore() {
        PromotionPolicy policy = new PromotionPolicy(true, 20, 0.05, 0.95);
        VersionStats shadow = VersionStats.of(LABELS);
        int firedAt = -1;
        for (int n = 1; n <= 40 && firedAt < 0; n++) {
            // Shadow right and serving wrong on every sequence: p = 2^-n, long below 0.05.
            shadow.add(outcome("a", "a", "b"));
            if (policy.promotes(shadow)) {
                firedAt = n;
            }
        }
        assertThat(firedAt).as("the minimum of labelled sequences").isEqualTo(20);

        PromotionPolicy confident = new PromotionPolicy(true, 1, 0, 0.99);
        VersionStats close = VersionStats.of(LABELS);
        for (int i = 0; i < 8; i++) {
            close.add(outcome("a", "a", "b"));
        }
        close.add(outcome("a", "b", "a"));
        close.add(outcome("a", "b", "a"));
        assertThat(confident.promotes(close)).as("8 against 2: p = 0.055").isFalse();
        close.add(outcome("a", "a", "b"));
        // 9 against 2: p = (C(11,9) + C(11,10) + C(11,11)) / 2^11 = 67 / 2048 = 0.033
        assertThat(confident.promotes(close)).as("p = 0.033 > 0.01").isFalse();
        for (int i = 0; i < 3; i++) {
            close.add(outcome("a", "a", "b"));
        }
        // 12 against 2: p = (1 + 14 + 91) / 16384 = 0.0065
        assertThat(confident.promotes(close)).isTrue();
    }

    @Test
    void theMarginMustBeMetOnTheSameSequences() {
        PromotionPolicy policy = new PromotionPolicy(true, 10, 0.2, 0.95);
        VersionStats shadow = VersionStats.of(LABELS);
        for (int i = 0; i < 10; i++) {
            shadow.add(outcome("a", "a", "b")); // shadow only right
        }
        for (int i = 0; i < 60; i++) {
            shadow.add(outcome("a", "a", "a")); // both right
        }
        // Gain 10 / 70 = 0.14 < 0.2, though p = 2^-10.
        assertThat(shadow.accuracyGain()).isCloseTo(10.0 / 70, Offset.offset(1e-12));
        assertThat(policy.promotes(shadow)).isFalse();
    }

    @Test
    void aShadowThatIsNotBetterIsNeverPromoted() {
        PromotionPolicy policy = new PromotionPolicy(true, 200, 0.01, 0.95);
        Random random = new Random(7);
        VersionStats worse = VersionStats.of(LABELS);
        VersionStats equal = VersionStats.of(LABELS);
        for (int n = 0; n < 5_000; n++) {
            String truth = LABELS[random.nextInt(3)];
            String wrong = truth.equals("a") ? "b" : "a";
            // Serving is right 70 % of the time, the worse shadow 60 %.
            String serving = random.nextDouble() < 0.7 ? truth : wrong;
            worse.add(outcome(truth, random.nextDouble() < 0.6 ? truth : wrong, serving));
            equal.add(outcome(truth, serving, serving));
            assertThat(policy.promotes(worse)).as("worse, after %d", n + 1).isFalse();
            assertThat(policy.promotes(equal)).as("equal, after %d", n + 1).isFalse();
        }
    }

    @Test
    void liveFiguresEqualModelCoresOfflineEvaluation() {
        Random random = new Random(11);
        VersionStats live = VersionStats.of(LABELS);
        Evaluation offline = new Evaluation(List.of(LABELS));
        for (int n = 0; n < 500; n++) {
            int truth = random.nextInt(3);
            int predicted = random.nextDouble() < 0.6 ? truth : random.nextInt(3);
            live.add(outcome(LABELS[truth], LABELS[predicted], LABELS[truth]));
            offline.add(truth, predicted);
        }
        assertThat(live.accuracy()).isCloseTo(offline.accuracy(), Offset.offset(1e-12));
        assertThat(live.macroF1()).isCloseTo(offline.macroF1(), Offset.offset(1e-12));
    }

    @Test
    void refusesPoliciesOutOfRangeNamingTheSetting() {
        assertThatThrownBy(() -> new PromotionPolicy(true, 0, 0, 0.9))
                .hasMessageContaining("promotion.min-labelled");
        assertThatThrownBy(() -> new PromotionPolicy(true, 1, 1.5, 0.9))
                .hasMessageContaining("promotion.margin");
        assertThatThrownBy(() -> new PromotionPolicy(true, 1, 0, 1))
                .hasMessageContaining("promotion.confidence");
    }

    private static Outcome outcome(String truth, String predicted, String servingPredicted) {
        return new Outcome("m", 2, ModelRole.SHADOW, truth, predicted, 1, servingPredicted, LABELS);
    }
}
