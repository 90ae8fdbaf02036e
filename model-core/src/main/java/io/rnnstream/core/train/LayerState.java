package io.rnnstream.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One recurrent layer's state between two steps: the hidden output {@code h} and, for an LSTM, the
 * cell state {@code c} (null for an Elman layer), each {@code [batch, hidden]}.
 */
record LayerState(INDArray h, INDArray c) {

    /** A copy whose rows {@code reset} are zero: those streams start a new sequence. */
    LayerState resetRows(boolean[] reset) {
        INDArray hh = h.dup('c');
        INDArray cc = c == null ? null : c.dup('c');
        for (int row = 0; row < reset.length; row++) {
            if (reset[row]) {
                hh.getRow(row).assign(0);
                if (cc != null) {
                    cc.getRow(row).assign(0);
                }
            }
        }
        return new LayerState(hh, cc);
    }
}
