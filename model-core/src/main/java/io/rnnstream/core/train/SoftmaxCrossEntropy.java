package io.rnnstream.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The output layer's softmax over each row of logits and the cross-entropy of the rows a mask
 * weighs, as DL4J's softmax output layer with its MCXENT loss computes them, on the Java heap: as
 * ND4J operations the same few values per row cost a dispatch each (softmax, log, two products by
 * labels and mask, a sum, a difference), several times the arithmetic, and rows the mask leaves out
 * are not computed at all (under last-step supervision, all but one step of each sequence).
 *
 * <p>{@code log p} is taken as {@code z - max - log(sum of exp(z - max))}, which stays finite where
 * {@code p} itself rounds to 0.
 *
 * <p>Not thread-safe: one instance per single-threaded owner.
 */
final class SoftmaxCrossEntropy {

    /** Values of one quantity held on the heap at a time: a block of rows, at least one row. */
    private static final int BLOCK_VALUES = 1 << 16;

    private final HostRuns.Conversion conversion = new HostRuns.Conversion();
    private double[] logitValues = new double[0];
    private double[] labelValues = new double[0];
    private double[] maskValues = new double[0];
    private double[] gradientValues = new double[0];

    /**
     * The summed negative log-likelihood of the labels, each row weighed by its mask value, and, if
     * {@code gradientOut} is given, the gradient of that sum with respect to the logits written
     * into it: {@code mask (p - y)} row by row (zero where the mask is). {@code logits2d} and
     * {@code gradientOut} are whole c-order {@code [rows, classes]} arrays, {@code labels} a whole
     * c-order array of as many values in the same order, {@code mask} one of one value per row.
     */
    double lossAndGradient(
            INDArray logits2d, INDArray labels, INDArray mask, INDArray gradientOut) {
        return lossAndGradient(logits2d, null, labels, mask, gradientOut);
    }

    /**
     * As {@link #lossAndGradient(INDArray, INDArray, INDArray, INDArray)} for the logits {@code
     * logits2d + bias}, {@code bias} added to every row (none if null).
     */
    double lossAndGradient(
            INDArray logits2d,
            double[] bias,
            INDArray labels,
            INDArray mask,
            INDArray gradientOut) {
        int rows = Math.toIntExact(logits2d.size(0));
        maskValues = HeapBuffers.atLeast(maskValues, rows);
        HostRuns.of(mask, conversion).read(0, maskValues, rows);
        return lossAndGradient(logits2d, bias, labels, maskValues, gradientOut);
    }

    /**
     * As {@link #lossAndGradient(INDArray, double[], INDArray, INDArray, INDArray)} with the mask
     * already on the heap: {@code rowWeights[r]} for row {@code r}.
     */
    double lossAndGradient(
            INDArray logits2d,
            double[] bias,
            INDArray labels,
            double[] rowWeights,
            INDArray gradientOut) {
        int rows = Math.toIntExact(logits2d.size(0));
        int classes = Math.toIntExact(logits2d.size(1));
        if (rowWeights.length < rows) {
            throw new IllegalArgumentException(
                    rows + " rows of logits, " + rowWeights.length + " row weights");
        }
        HostRuns logitRuns = HostRuns.of(logits2d, conversion);
        HostRuns labelRuns = HostRuns.of(labels, conversion);
        HostRuns gradientRuns = gradientOut == null ? null : HostRuns.of(gradientOut, conversion);
        // A block of rows at a time, so that a large vocabulary costs bounded heap.
        int blockRows = Math.max(1, Math.min(rows, BLOCK_VALUES / Math.max(1, classes)));
        logitValues = HeapBuffers.atLeast(logitValues, blockRows * classes);
        labelValues = HeapBuffers.atLeast(labelValues, blockRows * classes);
        if (gradientRuns != null) {
            gradientValues = HeapBuffers.atLeast(gradientValues, blockRows * classes);
        }
        double loss = 0;
        for (int first = 0; first < rows; first += blockRows) {
            int count = Math.min(blockRows, rows - first);
            int values = count * classes;
            long at = (long) first * classes;
            logitRuns.read(at, logitValues, values);
            if (bias != null) {
                RowVectors.addToEach(bias, logitValues, 0, count);
            }
            labelRuns.read(at, labelValues, values);
            loss += block(first, count, classes, gradientRuns != null, rowWeights);
            if (gradientRuns != null) {
                gradientRuns.write(gradientValues, values, at);
            }
        }
        return loss;
    }

    /** The loss of rows {@code [first, first + count)}, now in the buffers, and their gradient. */
    private double block(
            int first, int count, int classes, boolean withGradient, double[] rowWeights) {
        double loss = 0;
        for (int r = 0; r < count; r++) {
            int from = r * classes;
            double weight = rowWeights[first + r];
            if (weight == 0) {
                if (withGradient) {
                    Arrays.fill(gradientValues, from, from + classes, 0.0);
                }
                continue;
            }
            double logSum = logSumExp(logitValues, from, classes);
            double rowLoss = 0;
            for (int k = from; k < from + classes; k++) {
                double logP = logitValues[k] - logSum;
                rowLoss -= labelValues[k] * logP;
                if (withGradient) {
                    gradientValues[k] = weight * (Math.exp(logP) - labelValues[k]);
                }
            }
            loss += weight * rowLoss;
        }
        return loss;
    }

    /** The softmax of each row of {@code logits2d}, a whole c-order {@code [rows, classes]}. */
    float[][] probabilities(INDArray logits2d) {
        return probabilities(logits2d, null);
    }

    /** The softmax of each row of {@code logits2d + bias}, {@code bias} added to every row. */
    float[][] probabilities(INDArray logits2d, double[] bias) {
        int rows = Math.toIntExact(logits2d.size(0));
        int classes = Math.toIntExact(logits2d.size(1));
        logitValues = HeapBuffers.atLeast(logitValues, rows * classes);
        HostRuns.of(logits2d, conversion).read(0, logitValues, rows * classes);
        if (bias != null) {
            RowVectors.addToEach(bias, logitValues, 0, rows);
        }
        float[][] result = new float[rows][classes];
        for (int r = 0; r < rows; r++) {
            int from = r * classes;
            double logSum = logSumExp(logitValues, from, classes);
            for (int k = 0; k < classes; k++) {
                result[r][k] = (float) Math.exp(logitValues[from + k] - logSum);
            }
        }
        return result;
    }

    /** {@code log(sum of exp(z))} over {@code z = values[from, from + count)}, without overflow. */
    private static double logSumExp(double[] values, int from, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = from; k < from + count; k++) {
            max = Math.max(max, values[k]);
        }
        double sum = 0;
        for (int k = from; k < from + count; k++) {
            sum += Math.exp(values[k] - max);
        }
        return max + Math.log(sum);
    }
}
