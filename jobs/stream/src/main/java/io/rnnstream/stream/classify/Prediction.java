package io.rnnstream.stream.classify;

import io.rnnstream.stream.model.ModelRole;

/**
 * The label one version gave one finished sequence, for the live evaluation against labels that
 * arrive later. Emitted for final results only (not running {@code every-n} ones).
 *
 * @param model model name
 * @param entity entity key
 * @param pairId what a label must carry to pair with it ({@link #pairId})
 * @param version the version that classified the sequence
 * @param role what that version was when the sequence started
 * @param label the label it gave
 * @param labels every label of the version, in its output order
 */
public record Prediction(
        String model,
        String entity,
        String pairId,
        long version,
        ModelRole role,
        String label,
        String[] labels) {

    /**
     * Pairs a label with the results of its sequence: by sequence id when events carry one, else by
     * the event time of the sequence's last event (where a label sits).
     */
    public static String pairId(String sequenceId, long lastTimestamp) {
        return sequenceId != null ? "seq:" + sequenceId : "ts:" + lastTimestamp;
    }

    /** The prediction of a final result; null for a running ({@code every-n}) one. */
    static Prediction of(Classification result, ModelRole role) {
        if (result.trigger() == Trigger.EVERY_N) {
            return null;
        }
        return new Prediction(
                result.model(),
                result.key(),
                pairId(result.sequenceId(), result.lastTimestamp()),
                result.modelVersion(),
                role,
                result.label(),
                result.labels());
    }
}
