package io.rnnstream.core.train;

import io.rnnstream.core.model.Supervision;

/**
 * One sequence of a training stream: its inputs, feature vectors or token ids (exactly one is
 * non-null), and a target class per step, -1 where the step carries no loss.
 */
record StreamSequence(float[][] features, int[] tokenIds, int[] targets) {

    StreamSequence {
        int length = features != null ? features.length : tokenIds.length;
        if (targets.length != length) {
            throw new IllegalArgumentException(
                    "a sequence of "
                            + length
                            + " steps needs as many targets, got "
                            + targets.length);
        }
    }

    int length() {
        return targets.length;
    }

    /** A labelled sequence, its label at the last step or at every step. */
    static StreamSequence classification(EncodedSequence sequence, Supervision supervision) {
        int[] targets = new int[sequence.length()];
        for (int t = 0; t < targets.length; t++) {
            boolean supervised = supervision == Supervision.EVERY_STEP || t == targets.length - 1;
            targets[t] = supervised ? sequence.label() : -1;
        }
        return new StreamSequence(sequence.features(), sequence.tokenIds(), targets);
    }

    /**
     * A text as token ids, each step's target the next token: {@code n} ids make {@code n - 1}
     * steps.
     */
    static StreamSequence nextToken(int[] ids) {
        if (ids.length < 2) {
            throw new IllegalArgumentException("a next-token sequence needs at least 2 tokens");
        }
        int[] inputs = new int[ids.length - 1];
        int[] targets = new int[ids.length - 1];
        System.arraycopy(ids, 0, inputs, 0, inputs.length);
        System.arraycopy(ids, 1, targets, 0, targets.length);
        return new StreamSequence(null, inputs, targets);
    }
}
