package io.rnnstream.testkit;

import io.rnnstream.core.artifact.ArtifactWriter;
import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.RecurrentLayerWeights;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.text.Vocabulary;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Small deterministic model artifacts for stream tests: seeded random weights (no training, so
 * tests are fast), a normalizer fitted on the data, written and verified like any artifact.
 */
public final class TestModels {

    private TestModels() {}

    /** A written artifact and the announcement that serves it. */
    public record Written(
            ModelAnnouncement announcement, SequenceClassifier classifier, Path directory) {}

    public static Written featureModel(
            Path directory,
            String name,
            long version,
            long seed,
            CellType cell,
            int hidden,
            Dataset data)
            throws IOException {
        ModelSpec spec =
                new ModelSpec(
                        cell,
                        1,
                        hidden,
                        InputKind.FEATURES,
                        data.featureDimension(),
                        0,
                        data.labels());
        List<float[][]> sequences = new ArrayList<>();
        for (LabeledSequence sequence : data.sequences()) {
            sequences.add(sequence.features());
        }
        FeatureNormalizer normalizer = FeatureNormalizer.fit(sequences, data.featureDimension());
        SequenceClassifier classifier =
                new SequenceClassifier(randomWeights(spec, seed), normalizer, null);
        return write(
                directory,
                name,
                version,
                classifier,
                new Manifest.NormalizerValues(normalizer.mean(), normalizer.std()),
                null);
    }

    public static Written tokenModel(
            Path directory,
            String name,
            long version,
            long seed,
            List<String> labels,
            List<String> words)
            throws IOException {
        return tokenModel(directory, name, version, seed, labels, words, 8, 4);
    }

    /** As {@link #tokenModel(Path, String, long, long, List, List)} with the given widths. */
    public static Written tokenModel(
            Path directory,
            String name,
            long version,
            long seed,
            List<String> labels,
            List<String> words,
            int hidden,
            int embedding)
            throws IOException {
        Vocabulary vocabulary = vocabularyOf(words);
        ModelSpec spec =
                new ModelSpec(
                        CellType.LSTM,
                        1,
                        hidden,
                        InputKind.TOKENS,
                        vocabulary.size(),
                        embedding,
                        labels);
        SequenceClassifier classifier =
                new SequenceClassifier(randomWeights(spec, seed), null, vocabulary);
        return write(directory, name, version, classifier, null, Tokenizer.NAME);
    }

    private static Vocabulary vocabularyOf(List<String> words) {
        List<String> tokens = new ArrayList<>();
        tokens.add(Vocabulary.UNKNOWN);
        tokens.addAll(words);
        return new Vocabulary(tokens);
    }

    /**
     * {@code count} sequences of {@code steps} steps, each step {@code features} standard Gaussian
     * values drawn in order from {@code seed}, labelled alternately with the two {@code labels}:
     * data a feature model can be fitted to in tests that need a model, not a good one.
     */
    public static Dataset gaussianSequences(
            String name, long seed, int count, int steps, int features, List<String> labels) {
        Random random = new Random(seed);
        List<LabeledSequence> sequences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[][] values = new float[steps][features];
            for (float[] step : values) {
                for (int d = 0; d < features; d++) {
                    step[d] = (float) random.nextGaussian();
                }
            }
            sequences.add(LabeledSequence.ofFeatures("s" + i, values, labels.get(i % 2)));
        }
        return new Dataset(name, sequences, labels, InputKind.FEATURES, features);
    }

    /**
     * A character language model over {@code alphabet} (objective {@code next-token}): one-hot
     * input, the characters as classes, seeded random weights.
     */
    public static Written characterLanguageModel(
            Path directory, String name, long version, long seed, CellType cell, String alphabet)
            throws IOException {
        io.rnnstream.core.text.Alphabet symbols = io.rnnstream.core.text.Alphabet.of(alphabet);
        ModelSpec spec =
                new ModelSpec(
                        cell, 1, 16, InputKind.FEATURES, symbols.size(), 0, symbols.symbols());
        FeatureNormalizer oneHot =
                io.rnnstream.core.serving.LanguageModel.oneHotNormalizer(symbols.size());
        SequenceClassifier network =
                new SequenceClassifier(randomWeights(spec, seed), oneHot, null);
        return write(
                directory,
                name,
                version,
                network,
                new Manifest.NormalizerValues(oneHot.mean(), oneHot.std()),
                null,
                io.rnnstream.core.model.Objective.NEXT_TOKEN);
    }

    /**
     * A word language model over {@code words} (and the unknown token; objective {@code
     * next-token}): LSTM 64 over embeddings of width 32, seeded random weights.
     */
    public static Written wordLanguageModel(
            Path directory, String name, long version, long seed, List<String> words)
            throws IOException {
        Vocabulary vocabulary = vocabularyOf(words);
        ModelSpec spec =
                new ModelSpec(
                        CellType.LSTM,
                        1,
                        64,
                        InputKind.TOKENS,
                        vocabulary.size(),
                        32,
                        vocabulary.tokens());
        SequenceClassifier network =
                new SequenceClassifier(randomWeights(spec, seed), null, vocabulary);
        return write(
                directory,
                name,
                version,
                network,
                null,
                Tokenizer.NAME,
                io.rnnstream.core.model.Objective.NEXT_TOKEN);
    }

    private static Written write(
            Path directory,
            String name,
            long version,
            SequenceClassifier classifier,
            Manifest.NormalizerValues normalizer,
            String tokenizer)
            throws IOException {
        return write(directory, name, version, classifier, normalizer, tokenizer, null);
    }

    private static Written write(
            Path directory,
            String name,
            long version,
            SequenceClassifier classifier,
            Manifest.NormalizerValues normalizer,
            String tokenizer,
            io.rnnstream.core.model.Objective objective)
            throws IOException {
        Manifest manifest =
                new Manifest(
                        Manifest.FORMAT_VERSION,
                        name,
                        version,
                        Instant.EPOCH.toString(),
                        classifier.spec(),
                        tokenizer,
                        normalizer,
                        TrainingOptions.defaults(),
                        Map.of(),
                        Map.of("origin", "stream test fixture"),
                        null,
                        objective);
        String sha = ArtifactWriter.write(directory, manifest, classifier, Map.of());
        return new Written(
                new ModelAnnouncement(name, version, directory.toUri().toString(), sha),
                classifier,
                directory);
    }

    /** Announces {@code announcement} on {@code modelsTopic}, keyed by the model's name. */
    public static void announce(
            KafkaBroker kafka, String modelsTopic, ModelAnnouncement announcement) {
        kafka.produce(
                List.of(
                        new ProducerRecord<>(
                                modelsTopic,
                                KafkaBroker.utf8(announcement.name()),
                                AnnouncementParser.toJson(announcement))));
    }

    /**
     * Announces a version in a role on {@code modelsTopic}, keyed as the role's records are ({@link
     * RoleAnnouncement#kafkaKey()}), so that compaction keeps them apart.
     */
    public static void announce(KafkaBroker kafka, String modelsTopic, RoleAnnouncement announced) {
        kafka.produce(
                List.of(
                        new ProducerRecord<>(
                                modelsTopic,
                                announced.kafkaKey(),
                                AnnouncementParser.toJson(announced))));
    }

    /** Flips one bit in the middle of {@code file}, as a tampered or corrupted copy would. */
    public static void flipOneByte(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x01);
        }
    }

    static NetworkWeights randomWeights(ModelSpec spec, long seed) {
        Random random = new Random(seed);
        int width = spec.cell().gateBlocks() * spec.hiddenSize();
        List<RecurrentLayerWeights> layers = new ArrayList<>();
        int in = spec.firstLayerInputSize();
        for (int l = 0; l < spec.layers(); l++) {
            layers.add(
                    new RecurrentLayerWeights(
                            spec.cell(),
                            in,
                            spec.hiddenSize(),
                            gaussian(random, in * width, 1.0 / Math.sqrt(in)),
                            gaussian(
                                    random,
                                    spec.hiddenSize() * width,
                                    1.0 / Math.sqrt(spec.hiddenSize())),
                            gaussian(random, width, 0.1)));
            in = spec.hiddenSize();
        }
        float[] embedding =
                spec.inputKind() == InputKind.TOKENS
                        ? gaussian(random, spec.inputSize() * spec.embeddingSize(), 1.0)
                        : null;
        return new NetworkWeights(
                spec,
                embedding,
                layers,
                gaussian(
                        random,
                        spec.hiddenSize() * spec.numClasses(),
                        2.0 / Math.sqrt(spec.hiddenSize())),
                gaussian(random, spec.numClasses(), 0.1));
    }

    private static float[] gaussian(Random random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }
}
