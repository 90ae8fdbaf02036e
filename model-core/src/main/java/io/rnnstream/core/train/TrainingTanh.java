package io.rnnstream.core.train;

import io.rnnstream.core.serving.Tanh;

/**
 * tanh for the training kernels: a network in DOUBLE gets {@link Math#tanh}, exact to double
 * precision, so that gradient checks in double see the function they differentiate; a FLOAT network
 * gets {@link Tanh}, exact to float resolution and many times faster.
 */
final class TrainingTanh {

    private TrainingTanh() {}

    /** {@code values[j] = tanh(values[j])} for {@code j < count}. */
    static void apply(double[] values, int count, boolean exact) {
        apply(values, 0, count, exact);
    }

    /** {@code values[j] = tanh(values[j])} for {@code from <= j < to}. */
    static void apply(double[] values, int from, int to, boolean exact) {
        if (exact) {
            for (int j = from; j < to; j++) {
                values[j] = Math.tanh(values[j]);
            }
        } else {
            Tanh.apply(values, from, to);
        }
    }
}
