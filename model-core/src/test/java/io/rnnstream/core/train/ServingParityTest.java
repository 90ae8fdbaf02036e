package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.data.VaderReader;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.ServingPath;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plain-Java serving step, run event by event on either kernel path, gives the probabilities
 * DL4J computes on the whole sequence, for every sequence of a test set.
 */
class ServingParityTest {

    private static final double TOLERANCE = 1e-5;
    private static Dataset vowelsTrain;
    private static Dataset vowelsTest;
    private static Dataset sentimentTrain;
    private static Dataset sentimentTest;

    @BeforeAll
    static void readData() throws IOException {
        vowelsTrain =
                TestData.slice(
                        TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts")), 6);
        vowelsTest =
                TestData.slice(
                        TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts")), 6);
        Dataset sentiment =
                VaderReader.read(
                        TestData.path("vader-sentiment/movieReviewSnippets_GroundTruth.txt"));
        sentimentTrain = TestData.slice(sentiment, 60);
        sentimentTest = sentiment.withSequences("test", sentiment.sequences().subList(5000, 5060));
    }

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of(CellType.ELMAN, 1, false),
                Arguments.of(CellType.ELMAN, 2, false),
                Arguments.of(CellType.LSTM, 1, false),
                Arguments.of(CellType.LSTM, 2, false),
                Arguments.of(CellType.ELMAN, 1, true),
                Arguments.of(CellType.LSTM, 2, true));
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), tokens={2}")
    @MethodSource("architectures")
    void steppingEventByEventMatchesDl4jOnWholeSequences(
            CellType cell, int layers, boolean tokens) {
        Dataset train = tokens ? sentimentTrain : vowelsTrain;
        Dataset test = tokens ? sentimentTest : vowelsTest;
        TrainingOptions options =
                TrainingOptions.builder()
                        .cell(cell)
                        .layers(layers)
                        .hiddenSize(16)
                        .embeddingSize(8)
                        .minTokenCount(1)
                        .maxEpochs(3)
                        .patience(3)
                        .batchSize(16)
                        .tbpttLength(5)
                        .build();
        TrainedModel trained = SequenceTrainer.train(train, options, null);
        SequenceClassifier classifier = trained.classifier();

        float[][] reference =
                SequenceTrainer.dl4jProbabilities(
                        trained.network(),
                        classifier.spec(),
                        classifier.normalizer(),
                        classifier.vocabulary(),
                        test.sequences());

        assertThat(test.sequences().stream().map(LabeledSequence::length).distinct().count())
                .as("variable lengths are covered")
                .isGreaterThan(1);
        for (ServingPath path : ServingPath.values()) {
            SequenceClassifier served = classifier.withPath(path);
            for (int i = 0; i < test.size(); i++) {
                float[] stepped = Evaluator.predict(served, test.sequences().get(i));
                for (int c = 0; c < stepped.length; c++) {
                    assertThat((double) stepped[c])
                            .as(
                                    "%s path, sequence %s class %d",
                                    path, test.sequences().get(i).id(), c)
                            .isCloseTo(
                                    reference[i][c],
                                    org.assertj.core.data.Offset.offset(TOLERANCE));
                }
            }
        }
    }
}
