package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.data.VaderReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.text.Vocabulary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * With a window that covers the batch, the trainer's updates are the updates {@code network.fit}
 * makes with full BPTT: the same parameters, updater state, scores and iteration count after
 * several batches of real, variable-length sequences, and the same trained model through {@link
 * SequenceTrainer}.
 */
class FullBpttUpdatesTest {

    /**
     * Double sums in another order over ten Adam steps. In float, rounding decides the step of a
     * gradient that sits near Adam's epsilon, and a tolerance wide enough for that would hide a
     * small error; in double a wrong gradient is off by many orders more than this.
     */
    private static final double TOLERANCE = 1e-10;

    private static final int BATCHES = 10;

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of(CellType.LSTM, 1, false, 8, Supervision.LAST_STEP),
                Arguments.of(CellType.LSTM, 2, false, 5, Supervision.LAST_STEP),
                Arguments.of(CellType.LSTM, 1, true, 8, Supervision.LAST_STEP),
                Arguments.of(CellType.LSTM, 2, true, 6, Supervision.LAST_STEP),
                Arguments.of(CellType.LSTM, 1, false, 8, Supervision.EVERY_STEP),
                Arguments.of(CellType.LSTM, 2, true, 6, Supervision.EVERY_STEP),
                Arguments.of(CellType.ELMAN, 1, false, 8, Supervision.LAST_STEP),
                Arguments.of(CellType.ELMAN, 2, true, 6, Supervision.LAST_STEP),
                Arguments.of(CellType.ELMAN, 2, false, 5, Supervision.EVERY_STEP));
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), tokens={2}, batch {3}, {4}")
    @MethodSource("architectures")
    void updatesMatchNetworkFit(
            CellType cell, int layers, boolean tokens, int batchSize, Supervision supervision)
            throws IOException {
        Dataset data = tokens ? sentiment() : vowels();
        assertUpdatesMatchNetworkFit(
                data, options(cell, layers, batchSize), batchSize, supervision);
    }

    static Stream<Arguments> updaterConfigurations() {
        return Stream.of(
                Arguments.of("no clipping", options(1).gradientClip(0)),
                Arguments.of("clipping that bites", options(1).gradientClip(0.01)),
                Arguments.of("no L2", options(2).l2(0)),
                Arguments.of(
                        "the recurrent biases on an Adam of their own",
                        options(2).recurrentBiasLearningRateMultiplier(10)));
    }

    /**
     * The updater's configurations the factory builds, each through its own path of DL4J's updater:
     * without clipping, with clipping at a threshold most gradients exceed, without L2, and with
     * the recurrent biases in updater blocks of their own.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("updaterConfigurations")
    void updatesMatchNetworkFitForEachUpdaterConfiguration(
            String name, TrainingOptions.Builder options) throws IOException {
        assertUpdatesMatchNetworkFit(
                vowels(), options.batchSize(8).build(), 8, Supervision.LAST_STEP);
    }

    private static void assertUpdatesMatchNetworkFit(
            Dataset data, TrainingOptions options, int batchSize, Supervision supervision) {
        ModelSpec spec = spec(data, options);
        List<DataSet> batches = batches(data, spec, batchSize, supervision);

        MultiLayerNetwork reference = NetworkFactory.create(spec, options, DataType.DOUBLE);
        MultiLayerNetwork fused = reference.clone();
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(fused, spec, 0, 0);
        for (DataSet batch : batches) {
            reference.fit(batch);
            double score = fitter.fit(batch);
            assertThat(score).isCloseTo(reference.score(), within(TOLERANCE));
        }

        assertThat(maxDifference(fused.params(), reference.params())).isLessThan(TOLERANCE);
        assertThat(
                        maxDifference(
                                fused.getUpdater().getStateViewArray(),
                                reference.getUpdater().getStateViewArray()))
                .isLessThan(TOLERANCE);
        assertThat(fused.getIterationCount()).isEqualTo(reference.getIterationCount());
        // The parameters moved: equal because both trained, not because neither did.
        assertThat(
                        maxDifference(
                                fused.params(),
                                NetworkFactory.create(spec, options, DataType.DOUBLE).params()))
                .isGreaterThan(1e-3);
    }

    static Stream<Arguments> validationCases() {
        return Stream.of(
                Arguments.of(CellType.LSTM, 1, false, 0),
                Arguments.of(CellType.LSTM, 2, false, 5),
                Arguments.of(CellType.LSTM, 1, true, 4),
                Arguments.of(CellType.ELMAN, 1, false, 5),
                Arguments.of(CellType.ELMAN, 2, true, 0));
    }

    /**
     * The trainer scores its validation split with the fused engine's forward pass: each sequence's
     * probabilities at its last step are those of DL4J's {@code network.output} on the whole padded
     * batch, also when the engine runs the batch in windows and carries the state.
     */
    @ParameterizedTest(name = "{0}, {1} layer(s), tokens={2}, window {3}")
    @MethodSource("validationCases")
    void lastStepProbabilitiesAreNetworkOutputsAtEachSequencesLastStep(
            CellType cell, int layers, boolean tokens, int window) throws IOException {
        Dataset data = tokens ? sentiment() : vowels();
        TrainingOptions options = options(cell, layers, 8);
        ModelSpec spec = spec(data, options);
        List<DataSet> batches = batches(data, spec, 8, Supervision.LAST_STEP);
        MultiLayerNetwork network = NetworkFactory.create(spec, options, DataType.DOUBLE);
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec, window, 0);
        // A few updates first, so that the outputs are not those of the initial weights alone.
        for (DataSet batch : batches.subList(0, 3)) {
            fitter.fit(batch);
        }

        int compared = 0;
        for (DataSet batch : batches) {
            float[][] ours = fitter.lastStepProbabilities(batch);
            INDArray reference =
                    network.output(batch.getFeatures(), false, batch.getFeaturesMaskArray(), null);
            float[][] marked = batch.getLabelsMaskArray().toFloatMatrix();
            for (int b = 0; b < marked.length; b++) {
                int last = -1;
                for (int t = 0; t < marked[b].length; t++) {
                    if (marked[b][t] != 0) {
                        last = t;
                    }
                }
                for (int c = 0; c < spec.numClasses(); c++) {
                    assertThat((double) ours[b][c])
                            .as("sequence %d, class %d", b, c)
                            .isCloseTo(reference.getDouble(b, c, last), within(1e-6));
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(0);
    }

    @Test
    void trainerGivesTheSameModelOnEitherEngine() throws IOException {
        Dataset data = vowels();
        TrainingOptions options =
                TrainingOptions.builder()
                        .hiddenSize(16)
                        .maxEpochs(3)
                        .patience(3)
                        .batchSize(8)
                        .build();
        TrainedModel fused =
                SequenceTrainer.train(data, options, null, null, SequenceTrainer.Engine.WINDOWED);
        TrainedModel layered =
                SequenceTrainer.train(
                        data, options, null, null, SequenceTrainer.Engine.LAYER_BY_LAYER);

        assertThat(maxDifference(fused.network().params(), layered.network().params()))
                .isLessThan(1e-4);
        for (int epoch = 0; epoch < fused.history().size(); epoch++) {
            assertThat(fused.history().get(epoch).trainLoss())
                    .isCloseTo(layered.history().get(epoch).trainLoss(), within(1e-4));
        }
    }

    @Test
    void theLayerByLayerReferenceRefusesTruncatedWindows() throws IOException {
        TrainingOptions options =
                TrainingOptions.builder().hiddenSize(8).maxEpochs(1).tbpttLength(3).build();

        assertThatThrownBy(
                        () ->
                                SequenceTrainer.train(
                                        vowels(),
                                        options,
                                        null,
                                        null,
                                        SequenceTrainer.Engine.LAYER_BY_LAYER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("full BPTT only");
    }

    private static TrainingOptions options(CellType cell, int layers, int batchSize) {
        return TrainingOptions.builder()
                .cell(cell)
                .layers(layers)
                .hiddenSize(16)
                .embeddingSize(8)
                .batchSize(batchSize)
                .build();
    }

    private static TrainingOptions.Builder options(int layers) {
        return TrainingOptions.builder().cell(CellType.LSTM).layers(layers).hiddenSize(16);
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    private static Dataset vowels() throws IOException {
        return TestData.slice(
                TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts")), 10);
    }

    private static Dataset sentiment() throws IOException {
        return TestData.slice(
                VaderReader.read(
                        TestData.path("vader-sentiment/movieReviewSnippets_GroundTruth.txt")),
                40);
    }

    private static Vocabulary vocabulary(Dataset data) {
        return Vocabulary.build(
                data.sequences().stream().map(LabeledSequence::tokens).toList(), 1, 10_000);
    }

    private static ModelSpec spec(Dataset data, TrainingOptions options) {
        boolean tokens = data.inputKind() == InputKind.TOKENS;
        return new ModelSpec(
                options.cell(),
                options.layers(),
                options.hiddenSize(),
                data.inputKind(),
                tokens ? vocabulary(data).size() : data.featureDimension(),
                tokens ? options.embeddingSize() : 0,
                data.labels());
    }

    private static List<DataSet> batches(
            Dataset data, ModelSpec spec, int batchSize, Supervision supervision) {
        boolean tokens = data.inputKind() == InputKind.TOKENS;
        SequenceEncoder encoder =
                tokens
                        ? new SequenceEncoder(spec, null, vocabulary(data))
                        : new SequenceEncoder(
                                spec,
                                FeatureNormalizer.fit(
                                        data.sequences().stream()
                                                .map(LabeledSequence::features)
                                                .toList(),
                                        data.featureDimension()),
                                null);
        List<EncodedSequence> encoded = new ArrayList<>(encoder.encodeAll(data));
        // Every batch mixes labels and lengths, as the trainer's shuffled batches do.
        Collections.shuffle(encoded, new Random(7));
        List<DataSet> batches = new ArrayList<>();
        int from = 0;
        for (int b = 0; b < BATCHES; b++) {
            // Every third batch is smaller, as an epoch's last batch often is.
            int size = b % 3 == 2 ? batchSize / 2 : batchSize;
            List<EncodedSequence> batch = encoded.subList(from, from + size);
            from += size;
            batches.add(
                    BatchBuilder.build(batch, spec.inputSize(), spec.numClasses(), supervision));
        }
        return batches;
    }
}
