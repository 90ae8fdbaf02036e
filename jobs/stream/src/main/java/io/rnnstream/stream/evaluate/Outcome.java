package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.model.ModelRole;

/**
 * One labelled sequence as one version saw it: the truth, its label, and the label the serving
 * version gave the same sequence (the same as {@code predicted} for the serving version itself).
 *
 * @param model model name
 * @param version the version evaluated
 * @param role its role when the sequence started
 * @param truth the true label
 * @param predicted the version's label
 * @param servingVersion the version that served the sequence
 * @param servingPredicted the serving version's label
 * @param labels every label of the evaluated version, in its output order
 */
public record Outcome(
        String model,
        long version,
        ModelRole role,
        String truth,
        String predicted,
        long servingVersion,
        String servingPredicted,
        String[] labels) {}
