package io.rnnstream.stream.evaluate;

/**
 * A record of the {@code model-evaluations} topic: the live figures of one version ({@code type}
 * {@code evaluation}), or a decision about which version serves ({@code type} {@code decision})
 * with the figures it rests on. Kafka key = model name.
 *
 * @param type {@code evaluation} or {@code decision}
 * @param decision for a decision, {@code promote}; null for an evaluation
 * @param trigger for an evaluation, why it was written: {@link #EVERY} (its version reached a
 *     multiple of {@code evaluation.every} labelled sequences) or {@link #CHECKPOINT} (its figures
 *     changed since its last record); null for a decision
 * @param model model name
 * @param version the version evaluated or promoted
 * @param role its role ({@code serving} or {@code shadow})
 * @param servingVersion the serving version it was compared with (a decision: the one it replaces)
 * @param labelled labelled sequences
 * @param correct those it got right
 * @param accuracy correct / labelled
 * @param macroF1 mean F1 over every label of the version
 * @param agreement share of sequences where it gave the serving version's label
 * @param servingAccuracy the serving version's accuracy on the same sequences
 * @param shadowOnlyRight sequences only this version got right
 * @param servingOnlyRight sequences only the serving version got right
 * @param pValue the one-sided exact sign test of "better than serving"
 * @param policy for a decision, the policy it met ({@link PromotionPolicy}); null otherwise
 */
public record EvaluationRecord(
        String type,
        String decision,
        String trigger,
        String model,
        long version,
        String role,
        long servingVersion,
        long labelled,
        long correct,
        double accuracy,
        double macroF1,
        double agreement,
        double servingAccuracy,
        long shadowOnlyRight,
        long servingOnlyRight,
        double pValue,
        PromotionPolicy policy) {

    /** The trigger of an evaluation written every {@code evaluation.every} labelled sequences. */
    public static final String EVERY = "every";

    /** The trigger of an evaluation written at a checkpoint. */
    public static final String CHECKPOINT = "checkpoint";

    static EvaluationRecord evaluation(Outcome last, VersionStats stats, String trigger) {
        return of("evaluation", null, trigger, last, stats, null);
    }

    static EvaluationRecord promotion(Outcome last, VersionStats stats, PromotionPolicy policy) {
        return of("decision", "promote", null, last, stats, policy);
    }

    private static EvaluationRecord of(
            String type,
            String decision,
            String trigger,
            Outcome last,
            VersionStats stats,
            PromotionPolicy policy) {
        return new EvaluationRecord(
                type,
                decision,
                trigger,
                last.model(),
                last.version(),
                last.role().code(),
                last.servingVersion(),
                stats.labelled,
                stats.correct,
                stats.accuracy(),
                stats.macroF1(),
                stats.agreement(),
                stats.servingAccuracy(),
                stats.shadowOnlyRight,
                stats.servingOnlyRight,
                stats.pValue(),
                policy);
    }
}
