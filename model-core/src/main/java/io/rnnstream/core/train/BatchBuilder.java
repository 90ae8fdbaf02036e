package io.rnnstream.core.train;

import io.rnnstream.core.model.Supervision;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Packs variable-length sequences into one DL4J mini-batch: features {@code [batch, inputs, steps]}
 * (token ids as {@code [batch, 1, steps]}), one-hot labels {@code [batch, classes, steps]}, and
 * masks {@code [batch, steps]} that mark the valid steps (sequences are aligned at their start and
 * padded at the end).
 */
final class BatchBuilder {

    private BatchBuilder() {}

    static DataSet build(
            List<EncodedSequence> batch, int inputs, int classes, Supervision supervision) {
        return build(batch, inputs, classes, supervision, 0);
    }

    /**
     * As {@link #build(List, int, int, Supervision)}, padded (masked) to at least {@code minSteps}
     * steps. Padding at the end is exact: padded steps carry neither input nor loss.
     */
    static DataSet build(
            List<EncodedSequence> batch,
            int inputs,
            int classes,
            Supervision supervision,
            int minSteps) {
        int size = batch.size();
        int steps = minSteps;
        for (EncodedSequence sequence : batch) {
            steps = Math.max(steps, sequence.length());
        }
        boolean tokens = batch.get(0).tokenIds() != null;
        int featureRows = tokens ? 1 : inputs;
        float[] features = new float[size * featureRows * steps];
        float[] labels = new float[size * classes * steps];
        float[] featureMask = new float[size * steps];
        float[] labelMask = new float[size * steps];
        for (int b = 0; b < size; b++) {
            EncodedSequence sequence = batch.get(b);
            int length = sequence.length();
            for (int t = 0; t < length; t++) {
                if (tokens) {
                    features[b * steps + t] = sequence.tokenIds()[t];
                } else {
                    float[] step = sequence.features()[t];
                    for (int i = 0; i < inputs; i++) {
                        features[(b * inputs + i) * steps + t] = step[i];
                    }
                }
                featureMask[b * steps + t] = 1f;
                boolean supervised = supervision == Supervision.EVERY_STEP || t == length - 1;
                if (supervised) {
                    labels[(b * classes + sequence.label()) * steps + t] = 1f;
                    labelMask[b * steps + t] = 1f;
                }
            }
        }
        return new DataSet(
                HostRuns.floatArray(features, size, featureRows, steps),
                HostRuns.floatArray(labels, size, classes, steps),
                HostRuns.floatArray(featureMask, size, steps),
                HostRuns.floatArray(labelMask, size, steps));
    }
}
