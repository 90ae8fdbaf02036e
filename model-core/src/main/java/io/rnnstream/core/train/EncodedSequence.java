package io.rnnstream.core.train;

/**
 * A sequence ready for the network: standardized feature vectors or token ids, and the label's
 * index. Exactly one of {@code features} and {@code tokenIds} is non-null.
 */
record EncodedSequence(float[][] features, int[] tokenIds, int label) {

    int length() {
        return features != null ? features.length : tokenIds.length;
    }
}
