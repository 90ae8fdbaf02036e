package io.rnnstream.core.train;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A parameter of a DL4J network and its gradient view: the trainer reads the value and writes the
 * gradient, and the network's own updater takes it from there.
 *
 * @param key the name DL4J's updater knows it by ({@code "1_RW"})
 * @param gateBlocks the hidden size if the parameter holds an LSTM's four gate blocks in its
 *     columns, which libnd4j's LSTM ops want in their own order; else 0
 */
record NetworkParameter(String key, INDArray value, INDArray gradient, int gateBlocks) {

    /** The parameter {@code param} of {@code layer}, with its gradient view. */
    static NetworkParameter of(Layer layer, String param, int gateBlocks) {
        INDArray gradientView =
                layer.conf()
                        .getLayer()
                        .initializer()
                        .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray())
                        .get(param);
        return new NetworkParameter(
                layer.getIndex() + "_" + param, layer.getParam(param), gradientView, gateBlocks);
    }

    /** The value as the LSTM ops take it: gate blocks reordered, a c-order copy. */
    INDArray opValue() {
        INDArray copy = Nd4j.createUninitialized(value.dataType(), value.shape());
        copyBlocks(value, copy, true);
        return copy;
    }

    /** Writes {@code opGradient} into the gradient view, gate blocks reordered where needed. */
    void setGradient(INDArray opGradient) {
        copyBlocks(opGradient.reshape(gradient.shape()), gradient, false);
    }

    private void copyBlocks(INDArray from, INDArray to, boolean fromDl4jOrder) {
        int hidden = gateBlocks;
        if (hidden == 0) {
            to.assign(from);
            return;
        }
        for (int block = 0; block < 4; block++) {
            INDArrayIndex opColumns = NDArrayIndex.interval(block * hidden, (block + 1) * hidden);
            int dl4j = ServingExport.LSTM_BLOCK_FROM_DL4J[block] * hidden;
            INDArrayIndex dl4jColumns = NDArrayIndex.interval(dl4j, dl4j + hidden);
            INDArrayIndex rows = NDArrayIndex.all();
            to.get(rows, fromDl4jOrder ? opColumns : dl4jColumns)
                    .assign(from.get(rows, fromDl4jOrder ? dl4jColumns : opColumns));
        }
    }
}
