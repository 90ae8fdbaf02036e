package io.rnnstream.core.inspect;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.Stepper;

/**
 * Every unit's activation after each symbol of a text, read from the serving state: per layer the
 * output {@code h} and, for LSTM, the memory cell {@code c}. {@code values[t][u]} is unit {@code u}
 * after the model has read symbol {@code t}.
 */
public final class CellActivations {

    /** One recorded unit: its layer, whether it is a memory cell, and its index in the layer. */
    public record Unit(int layer, boolean cell, int index) {

        /** {@code L0.h17} or {@code L1.c3}: the layer, h or c, and the index. */
        public String label() {
            return "L" + layer + (cell ? ".c" : ".h") + index;
        }
    }

    private final Unit[] units;
    private final float[][] values;

    private CellActivations(Unit[] units, float[][] values) {
        this.units = units;
        this.values = values;
    }

    /** Runs {@code model} over {@code ids} from its initial state and records every unit. */
    public static CellActivations record(LanguageModel model, int[] ids) {
        ModelSpec spec = model.spec();
        Unit[] units = units(spec);
        float[][] values = new float[ids.length][];
        Stepper stepper = model.newStepper();
        RecurrentState state = model.initialState();
        for (int t = 0; t < ids.length; t++) {
            model.advance(stepper, state, ids[t]);
            values[t] = state.values().clone();
        }
        return new CellActivations(units, values);
    }

    /** The units in the serving state's layout (see {@link RecurrentState}). */
    static Unit[] units(ModelSpec spec) {
        boolean lstm = spec.cell() == CellType.LSTM;
        int hidden = spec.hiddenSize();
        int stride = lstm ? 2 * hidden : hidden;
        Unit[] units = new Unit[spec.layers() * stride];
        for (int l = 0; l < spec.layers(); l++) {
            for (int j = 0; j < stride; j++) {
                units[l * stride + j] = new Unit(l, j >= hidden, j % hidden);
            }
        }
        return units;
    }

    public int steps() {
        return values.length;
    }

    public int unitCount() {
        return units.length;
    }

    public Unit unit(int u) {
        return units[u];
    }

    /** Unit {@code u} after symbol {@code t}. */
    public float value(int t, int u) {
        return values[t][u];
    }

    /** Unit {@code u} over the whole text. */
    public double[] series(int u) {
        double[] series = new double[values.length];
        for (int t = 0; t < values.length; t++) {
            series[t] = values[t][u];
        }
        return series;
    }
}
