package io.rnnstream.stream.evaluate;

import java.util.Arrays;

/**
 * Keyed state of {@link EvaluateVersions}: the running live evaluation of one version in one role.
 * Counts only, so it is exact however long it runs; per-class counts give the macro-F1 over every
 * label of the version, as model-core's offline {@code Evaluation} computes it.
 */
public class VersionStats {

    /** The version's labels, in its output order. */
    public String[] labels;

    /** Labelled sequences, those it got right, and those where it agreed with serving. */
    public long labelled;

    public long correct;
    public long agreed;

    /** Paired with serving: sequences only this version got right, and only serving got right. */
    public long shadowOnlyRight;

    public long servingOnlyRight;

    /** Per label: true positives, false positives, false negatives. */
    public long[] truePositives;

    public long[] falsePositives;
    public long[] falseNegatives;

    /** Whether a promotion of this version was decided; it is decided once. */
    public boolean promoted;

    public VersionStats() {}

    static VersionStats of(String[] labels) {
        VersionStats stats = new VersionStats();
        stats.labels = labels.clone();
        stats.truePositives = new long[labels.length];
        stats.falsePositives = new long[labels.length];
        stats.falseNegatives = new long[labels.length];
        return stats;
    }

    /** Adds one labelled sequence. */
    void add(Outcome outcome) {
        boolean right = outcome.predicted().equals(outcome.truth());
        boolean servingRight = outcome.servingPredicted().equals(outcome.truth());
        labelled++;
        if (right) {
            correct++;
        }
        if (outcome.predicted().equals(outcome.servingPredicted())) {
            agreed++;
        }
        if (right && !servingRight) {
            shadowOnlyRight++;
        } else if (servingRight && !right) {
            servingOnlyRight++;
        }
        int truth = Arrays.asList(labels).indexOf(outcome.truth());
        int predicted = Arrays.asList(labels).indexOf(outcome.predicted());
        if (right && truth >= 0) {
            truePositives[truth]++;
            return;
        }
        if (truth >= 0) {
            falseNegatives[truth]++;
        }
        if (predicted >= 0) {
            falsePositives[predicted]++;
        }
    }

    double accuracy() {
        return labelled == 0 ? 0 : (double) correct / labelled;
    }

    /** The serving version's accuracy on the same sequences. */
    double servingAccuracy() {
        return labelled == 0
                ? 0
                : (double) (correct - shadowOnlyRight + servingOnlyRight) / labelled;
    }

    /** This version's accuracy minus serving's, on the same sequences. */
    double accuracyGain() {
        return labelled == 0 ? 0 : (double) (shadowOnlyRight - servingOnlyRight) / labelled;
    }

    double agreement() {
        return labelled == 0 ? 0 : (double) agreed / labelled;
    }

    /** Unweighted mean over every label of F1 = 2 TP / (2 TP + FP + FN), 0 for a label unseen. */
    double macroF1() {
        double sum = 0;
        for (int c = 0; c < labels.length; c++) {
            long denominator = 2 * truePositives[c] + falsePositives[c] + falseNegatives[c];
            sum += denominator == 0 ? 0 : 2.0 * truePositives[c] / denominator;
        }
        return labels.length == 0 ? 0 : sum / labels.length;
    }

    /** The one-sided sign test of "this version is better than serving" ({@link SignTest}). */
    double pValue() {
        return SignTest.oneSidedP(shadowOnlyRight, servingOnlyRight);
    }
}
