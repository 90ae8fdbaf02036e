package io.rnnstream.core.train;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter of a DL4J network and its gradient view: the trainer reads the value and writes the
 * gradient, both in DL4J's own layout, and the network's own updater takes it from there.
 *
 * @param key the name DL4J's updater knows it by ({@code "1_RW"})
 */
record NetworkParameter(String key, INDArray value, INDArray gradient) {

    /** The parameter {@code param} of {@code layer}, with its gradient view. */
    static NetworkParameter of(Layer layer, String param) {
        INDArray gradientView =
                layer.conf()
                        .getLayer()
                        .initializer()
                        .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray())
                        .get(param);
        return new NetworkParameter(
                layer.getIndex() + "_" + param, layer.getParam(param), gradientView);
    }

    /** The gradient view as BLAS writes it. */
    NativeMatrix gradientMatrix() {
        return NativeMatrix.of(gradient);
    }

    /** Sets the gradient to {@code op(a) op(b)}, computed straight into the gradient view. */
    void setGradientToProduct(
            NativeMatrix a, boolean transposeA, NativeMatrix b, boolean transposeB) {
        Blas.gemm(a, transposeA, b, transposeB, gradientMatrix(), 1, 0);
    }

    /** Adds {@code op(a) op(b)} to the gradient, in the gradient view. */
    void addProductToGradient(
            NativeMatrix a, boolean transposeA, NativeMatrix b, boolean transposeB) {
        Blas.gemm(a, transposeA, b, transposeB, gradientMatrix(), 1, 1);
    }

    /** Writes {@code gradient} into the gradient view. */
    void setGradient(INDArray computed) {
        gradient.assign(computed.reshape(gradient.shape()));
    }
}
