package io.rnnstream.core.serving;

import io.rnnstream.core.model.CellType;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One recurrent layer's weights repacked at load for {@link VectorLayerStep}: the input and
 * recurrent matrices stacked into one matrix of {@code inputSize + hiddenSize} rows (the kernel
 * multiplies {@code [x, h_prev]} in one pass), and the columns reordered gate-interleaved and
 * padded to whole vectors: vector column {@code b * gates + g} holds gate {@code g} of hidden units
 * {@code b * lanes ... b * lanes + lanes - 1}, so the four gates of a block of units end up side by
 * side and the cell update needs no shuffles. Padding lanes have zero weights and bias.
 *
 * <p>Loaded only when {@link ServingPath} found the incubator module (this class names its types).
 */
final class VectorLayerPlan implements LayerPlan {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    final RecurrentLayerWeights layer;
    final boolean lstm;
    final int gates;
    final int hidden;
    final int inputSize;

    /** Rows of the stacked matrix: {@code inputSize + hiddenSize}. */
    final int rows;

    /** Blocks of {@link #LANES} hidden units, the last one padded. */
    final int blocks;

    /** Vector columns: {@code gates * blocks}. */
    final int vectors;

    /** Floats per row of {@link #weights}: {@code vectors * LANES}. */
    final int rowStride;

    final float[] weights;
    final float[] bias;

    /**
     * What {@link VectorMath#squash} applies, 1 for the sigmoid and 2 for tanh: per packed column
     * (LSTM candidate g and every Elman unit tanh, the other gates sigmoid), then for LSTM one
     * padded block per unit of 2s for the tanh of the cell state.
     */
    final float[] scales;

    VectorLayerPlan(RecurrentLayerWeights layer) {
        this.layer = layer;
        this.lstm = layer.cell() == CellType.LSTM;
        this.gates = layer.cell().gateBlocks();
        this.hidden = layer.hiddenSize();
        this.inputSize = layer.inputSize();
        this.rows = inputSize + hidden;
        this.blocks = (hidden + LANES - 1) / LANES;
        this.vectors = gates * blocks;
        this.rowStride = vectors * LANES;
        this.weights = new float[rows * rowStride];
        this.bias = new float[rowStride];
        this.scales = new float[rowStride + (lstm ? blocks * LANES : 0)];
        Arrays.fill(scales, 2f);
        for (int v = 0; v < vectors; v++) {
            boolean tanh = !lstm || v % gates == 2;
            Arrays.fill(scales, v * LANES, (v + 1) * LANES, tanh ? 2f : 1f);
        }
        int width = layer.width();
        for (int g = 0; g < gates; g++) {
            for (int unit = 0; unit < hidden; unit++) {
                int column = g * hidden + unit;
                int packed = packedColumn(g, unit);
                bias[packed] = layer.bias()[column];
                for (int k = 0; k < inputSize; k++) {
                    weights[k * rowStride + packed] = layer.input()[k * width + column];
                }
                for (int k = 0; k < hidden; k++) {
                    weights[(inputSize + k) * rowStride + packed] =
                            layer.recurrent()[k * width + column];
                }
            }
        }
    }

    private int packedColumn(int gate, int unit) {
        int block = unit / LANES;
        return (block * gates + gate) * LANES + unit % LANES;
    }

    @Override
    public LayerStep newStep() {
        return new VectorLayerStep(this);
    }
}
