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

    /** Writes {@code gradient} into the gradient view. */
    void setGradient(INDArray computed) {
        gradient.assign(computed.reshape(gradient.shape()));
    }
}
