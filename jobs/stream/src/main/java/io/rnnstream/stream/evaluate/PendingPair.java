package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.classify.Prediction;

/**
 * Keyed state of {@link LabelJoin}: what has arrived so far for one sequence of one key. A POJO, so
 * Flink's serializer writes it and can evolve it.
 */
public class PendingPair {

    /** The true label, or null until it arrives. */
    public String truth;

    /** The serving version's prediction, or null until it arrives. */
    public Prediction serving;

    /** The shadow versions' predictions that arrived (before the serving one). */
    public Prediction[] shadows = new Prediction[0];

    /** Processing time at which the entry is dropped if still incomplete. */
    public long expiresAt;

    public PendingPair() {}
}
