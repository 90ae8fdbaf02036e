package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The output layer's loss and gradient against values worked out by hand, row by row. */
class SoftmaxCrossEntropyTest {

    @Test
    void eachWeighedRowAddsItsNegativeLogLikelihoodAndGetsWeightTimesPMinusY() {
        INDArray logits = Nd4j.create(new double[][] {{1, 2, 3}, {5, 5, 5}, {0, 0, 0}});
        INDArray labels = Nd4j.create(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
        INDArray mask = Nd4j.create(new double[] {1, 0.5, 0});
        INDArray gradient = Nd4j.createUninitialized(DataType.DOUBLE, 3, 3);

        double loss = new SoftmaxCrossEntropy().lossAndGradient(logits, labels, mask, gradient);

        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double firstRow = Math.log(sum) - 3;
        double secondRow = Math.log(3);
        assertThat(loss).isCloseTo(firstRow + 0.5 * secondRow, within(1e-12));
        double[][] expected = {
            {Math.exp(1) / sum, Math.exp(2) / sum, Math.exp(3) / sum - 1},
            {0.5 * (1.0 / 3 - 1), 0.5 / 3, 0.5 / 3},
            {0, 0, 0}
        };
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                assertThat(gradient.getDouble(r, k))
                        .as("gradient[%d][%d]", r, k)
                        .isCloseTo(expected[r][k], within(1e-12));
            }
        }
    }

    @Test
    void aVocabularyTooWideForOneBlockOfRowsGivesEveryRowItsOwnLossAndGradient() {
        // 5 rows of 20,000 classes: more values than one block holds, so rows go in blocks.
        int rows = 5;
        int classes = 20_000;
        java.util.Random random = new java.util.Random(11);
        double[][] z = new double[rows][classes];
        double[][] y = new double[rows][classes];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < classes; k++) {
                z[r][k] = 3 * random.nextGaussian();
            }
            y[r][random.nextInt(classes)] = 1;
        }
        double[] weights = {1, 0, 1, 0.5, 1};
        INDArray gradient = Nd4j.createUninitialized(DataType.DOUBLE, rows, classes);

        double loss =
                new SoftmaxCrossEntropy()
                        .lossAndGradient(
                                Nd4j.create(z), Nd4j.create(y), Nd4j.create(weights), gradient);

        double expectedLoss = 0;
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(z[r][k]);
            }
            for (int k = 0; k < classes; k++) {
                double p = Math.exp(z[r][k]) / sum;
                expectedLoss -= weights[r] * y[r][k] * Math.log(p);
                assertThat(gradient.getDouble(r, k))
                        .as("gradient[%d][%d]", r, k)
                        .isCloseTo(weights[r] * (p - y[r][k]), within(1e-12));
            }
        }
        assertThat(loss).isCloseTo(expectedLoss, within(1e-9));
    }

    @Test
    void aLabelWhoseProbabilityUnderflowsStillHasAFiniteLoss() {
        INDArray logits = Nd4j.create(new float[][] {{0, -1000}});
        INDArray labels = Nd4j.create(new float[][] {{0, 1}});
        INDArray mask = Nd4j.create(new float[] {1});

        double loss = new SoftmaxCrossEntropy().lossAndGradient(logits, labels, mask, null);

        assertThat(loss).isCloseTo(1000, within(1e-9));
    }

    @Test
    void probabilitiesAreEachRowsSoftmax() {
        INDArray logits = Nd4j.create(new float[][] {{0, (float) Math.log(3)}, {800, 800}});

        float[][] probabilities = new SoftmaxCrossEntropy().probabilities(logits);

        assertThat(probabilities[0][0]).isCloseTo(0.25f, within(1e-6f));
        assertThat(probabilities[0][1]).isCloseTo(0.75f, within(1e-6f));
        assertThat(probabilities[1]).containsExactly(0.5f, 0.5f);
    }

    @Test
    void aBiasIsAddedToEveryRowBeforeTheSoftmax() {
        INDArray logits = Nd4j.create(new double[][] {{1, 2, 3}, {-4, 0, 4}});
        double[] bias = {0.5, -1, 2};
        INDArray shifted = Nd4j.create(new double[][] {{1.5, 1, 5}, {-3.5, -1, 6}});
        INDArray labels = Nd4j.create(new double[][] {{0, 1, 0}, {1, 0, 0}});
        INDArray mask = Nd4j.create(new double[] {1, 1});
        INDArray gradient = Nd4j.createUninitialized(DataType.DOUBLE, 2, 3);
        INDArray expectedGradient = Nd4j.createUninitialized(DataType.DOUBLE, 2, 3);

        double loss =
                new SoftmaxCrossEntropy().lossAndGradient(logits, bias, labels, mask, gradient);
        double expected =
                new SoftmaxCrossEntropy().lossAndGradient(shifted, labels, mask, expectedGradient);

        assertThat(loss).isCloseTo(expected, within(1e-12));
        assertThat(gradient.equalsWithEps(expectedGradient, 1e-12)).isTrue();
        float[][] probabilities = new SoftmaxCrossEntropy().probabilities(logits, bias);
        float[][] expectedProbabilities = new SoftmaxCrossEntropy().probabilities(shifted);
        assertThat(probabilities).isDeepEqualTo(expectedProbabilities);
    }
}
