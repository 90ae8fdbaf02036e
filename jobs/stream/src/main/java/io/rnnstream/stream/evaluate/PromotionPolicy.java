package io.rnnstream.stream.evaluate;

import java.io.Serializable;

/**
 * When a shadow version replaces the serving version on live evidence: it has at least {@code
 * minLabelled} labelled sequences, its accuracy on them beats the serving version's accuracy on the
 * same sequences by at least {@code margin}, and the exact one-sided sign test on the sequences
 * where exactly one of the two is right ({@link SignTest}) rejects "no better" at {@code
 * confidence} (p-value at most {@code 1 - confidence}). A shadow that is worse, equal, or better by
 * too little or with too little evidence is never promoted.
 *
 * @param auto whether the job promotes by itself; off, the figures are still reported
 * @param minLabelled labelled sequences a shadow needs before it can be promoted
 * @param margin least accuracy difference (shadow minus serving, 0 to 1)
 * @param confidence confidence of the sign test (0.5 to 1, exclusive)
 */
public record PromotionPolicy(boolean auto, long minLabelled, double margin, double confidence)
        implements Serializable {

    public PromotionPolicy {
        if (minLabelled < 1) {
            throw new IllegalArgumentException(
                    "promotion.min-labelled must be >= 1, was " + minLabelled);
        }
        if (!(margin >= 0 && margin <= 1)) {
            throw new IllegalArgumentException(
                    "promotion.margin must be from 0 to 1, was " + margin);
        }
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new IllegalArgumentException(
                    "promotion.confidence must be at least 0.5 and below 1, was " + confidence);
        }
    }

    /** Whether a shadow with these figures is better than the serving version by the policy. */
    public boolean promotes(VersionStats shadow) {
        return shadow.labelled >= minLabelled
                && shadow.accuracyGain() >= margin
                && shadow.shadowOnlyRight > shadow.servingOnlyRight
                && shadow.pValue() <= 1 - confidence;
    }
}
