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

    /**
     * Frees the native memory of every array of this state now, rather than when the garbage
     * collector finds them: the trainer replaces the state at every window, and the JVM's heap,
     * which holds only the small Java objects, would otherwise let dead native arrays pile up.
     */
    void release() {
        for (LayerState layer : layers) {
            Scratch.release(layer.h());
            Scratch.release(layer.c());
        }
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
