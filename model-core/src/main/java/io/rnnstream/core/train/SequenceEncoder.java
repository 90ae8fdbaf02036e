package io.rnnstream.core.train;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/** Applies the model's normalizer or vocabulary to labelled sequences. */
final class SequenceEncoder {

    private final ModelSpec spec;
    private final FeatureNormalizer normalizer;
    private final Vocabulary vocabulary;

    SequenceEncoder(ModelSpec spec, FeatureNormalizer normalizer, Vocabulary vocabulary) {
        this.spec = spec;
        this.normalizer = normalizer;
        this.vocabulary = vocabulary;
    }

    EncodedSequence encode(LabeledSequence sequence) {
        int label = spec.labelIndex(sequence.label());
        if (label < 0) {
            throw new IllegalArgumentException(
                    "sequence "
                            + sequence.id()
                            + " has label '"
                            + sequence.label()
                            + "', the model knows "
                            + spec.labels());
        }
        if (sequence.features() != null) {
            float[][] normalized = new float[sequence.length()][spec.inputSize()];
            for (int t = 0; t < normalized.length; t++) {
                if (sequence.features()[t].length != spec.inputSize()) {
                    throw new IllegalArgumentException(
                            "sequence "
                                    + sequence.id()
                                    + " step "
                                    + t
                                    + " has dimension "
                                    + sequence.features()[t].length
                                    + ", the model expects "
                                    + spec.inputSize());
                }
                normalizer.apply(sequence.features()[t], normalized[t]);
            }
            return new EncodedSequence(normalized, null, label);
        }
        return new EncodedSequence(null, vocabulary.encode(sequence.tokens()), label);
    }

    List<EncodedSequence> encodeAll(Dataset dataset) {
        List<EncodedSequence> encoded = new ArrayList<>(dataset.size());
        for (LabeledSequence sequence : dataset.sequences()) {
            encoded.add(encode(sequence));
        }
        return encoded;
    }
}
