package io.rnnstream.core.serving;

import java.util.Arrays;

/**
 * The recurrent state of one key: every layer's output {@code h} (and memory cell {@code c} for
 * LSTM) in one flat array, plus the number of steps taken. Small, mutable in place so a step
 * allocates nothing, and trivially serializable for checkpoints.
 *
 * <p>Layout: for layer {@code l}, {@code h} starts at {@code l * stride} and {@code c} at {@code l
 * * stride + hiddenSize}, with {@code stride = hiddenSize} for Elman and {@code 2 * hiddenSize} for
 * LSTM. {@link SequenceClassifier} owns the layout.
 */
public final class RecurrentState {

    private final float[] values;
    private int steps;

    public RecurrentState(float[] values, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        this.values = values;
        this.steps = steps;
    }

    /** The backing array; mutated in place by {@link Stepper}. */
    public float[] values() {
        return values;
    }

    public int steps() {
        return steps;
    }

    void incrementSteps() {
        steps++;
    }

    public RecurrentState copy() {
        return new RecurrentState(values.clone(), steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecurrentState other
                && steps == other.steps
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + steps;
    }

    @Override
    public String toString() {
        return "RecurrentState{steps=" + steps + ", size=" + values.length + "}";
    }
}
