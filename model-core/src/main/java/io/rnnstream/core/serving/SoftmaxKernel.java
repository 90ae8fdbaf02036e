package io.rnnstream.core.serving;

/**
 * The exponentials of a softmax: {@code out[k] = e^(logits[k] - max)} for every class, and their
 * sum. A language model's vocabulary makes this thousands of exponentials per event, so the vector
 * path has its own ({@link ServingPath#softmax()}).
 */
interface SoftmaxKernel {

    /** Writes {@code e^(logits[k] - max)} into {@code out[k]} for {@code k < count}; their sum. */
    double exponentials(float[] logits, int count, float max, float[] out);

    /** {@link Math#exp} one class at a time: the scalar path, on every JVM. */
    SoftmaxKernel SCALAR =
            (logits, count, max, out) -> {
                double sum = 0;
                for (int k = 0; k < count; k++) {
                    double e = Math.exp(logits[k] - max);
                    out[k] = (float) e;
                    sum += e;
                }
                return sum;
            };
}
