package io.rnnstream.core.serving;

import java.util.Arrays;
import java.util.List;

/**
 * Per-feature standardization {@code (x - mean) / std}, fitted on training data only and applied
 * unchanged at evaluation and serving time.
 */
public final class FeatureNormalizer {

    /** Standard deviations below this are treated as 1 so that constant features stay finite. */
    static final float MIN_STD = 1e-6f;

    private final float[] mean;
    private final float[] std;

    public FeatureNormalizer(float[] mean, float[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException(
                    "normalizer mean and std must have the same non-zero length, got "
                            + mean.length
                            + " and "
                            + std.length);
        }
        for (int i = 0; i < std.length; i++) {
            if (!Float.isFinite(mean[i]) || !Float.isFinite(std[i]) || std[i] <= 0f) {
                throw new IllegalArgumentException(
                        "normalizer feature "
                                + i
                                + " has mean "
                                + mean[i]
                                + " and std "
                                + std[i]
                                + "; expected finite values and std > 0");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Fits mean and standard deviation per feature over every step of every sequence. */
    public static FeatureNormalizer fit(List<float[][]> sequences, int dimension) {
        double[] sum = new double[dimension];
        double[] sumSq = new double[dimension];
        long count = 0;
        for (float[][] sequence : sequences) {
            for (float[] step : sequence) {
                for (int i = 0; i < dimension; i++) {
                    sum[i] += step[i];
                    sumSq[i] += (double) step[i] * step[i];
                }
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("cannot fit a normalizer on no steps");
        }
        float[] mean = new float[dimension];
        float[] std = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            double m = sum[i] / count;
            double variance = Math.max(0.0, sumSq[i] / count - m * m);
            mean[i] = (float) m;
            std[i] = (float) Math.max(Math.sqrt(variance), MIN_STD);
        }
        return new FeatureNormalizer(mean, std);
    }

    /** Writes the standardized {@code in} into {@code out}; both have {@link #dimension()}. */
    public void apply(float[] in, float[] out) {
        for (int i = 0; i < mean.length; i++) {
            out[i] = (in[i] - mean[i]) / std[i];
        }
    }

    /** As {@link #apply(float[], float[])}, into {@code out} from {@code outOffset}. */
    void apply(float[] in, float[] out, int outOffset) {
        for (int i = 0; i < mean.length; i++) {
            out[outOffset + i] = (in[i] - mean[i]) / std[i];
        }
    }

    public int dimension() {
        return mean.length;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureNormalizer other
                && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }
}
