package io.rnnstream.core.serving;

/**
 * A softmax's exponentials on the Vector API ({@link VectorMath#softmaxExponentials}). Loaded only
 * when {@link ServingPath} found the incubator module.
 */
final class VectorSoftmax implements SoftmaxKernel {

    @Override
    public double exponentials(float[] logits, int count, float max, float[] out) {
        return VectorMath.softmaxExponentials(logits, count, max, out);
    }
}
