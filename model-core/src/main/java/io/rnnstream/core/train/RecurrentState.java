package io.rnnstream.core.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of every recurrent layer of a network for a batch of streams, bottom layer first: what
 * truncated BPTT carries from one window to the next.
 */
record RecurrentState(List<LayerState> layers) {

    RecurrentState {
        layers = List.copyOf(layers);
    }

    /** A copy in which the streams marked in {@code reset} start again from a zero state. */
    RecurrentState resetRows(boolean[] reset) {
        List<LayerState> copy = new ArrayList<>();
        for (LayerState layer : layers) {
            copy.add(layer.resetRows(reset));
        }
        return new RecurrentState(copy);
    }
}
