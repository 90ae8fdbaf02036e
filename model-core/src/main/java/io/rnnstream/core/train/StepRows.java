package io.rnnstream.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How many leading rows (streams) of each step of a window the recurrent layers compute: at step
 * {@code t}, every row up to the last one that has a valid step at {@code t} or later in the
 * window. The rows after it hold only padding from {@code t} to the window's end, so nothing the
 * loss reads depends on them; the layers leave them out of the step's matrix product and cell
 * arithmetic and give them zero outputs and zero gradients, which keeps the window-wide products
 * (output layer, weight gradients) exact.
 *
 * <p>A batch whose sequences are ordered longest first ({@link SequenceTrainer} orders them so)
 * computes only its valid steps; in any other order the result is the same, with less saved.
 */
final class StepRows {

    private final int batch;
    private final int[] rows;

    private StepRows(int batch, int[] rows) {
        this.batch = batch;
        this.rows = rows;
    }

    /** Every row of every step: a window without a feature mask. */
    static StepRows all(int batch, int steps) {
        int[] rows = new int[steps];
        Arrays.fill(rows, batch);
        return new StepRows(batch, rows);
    }

    /**
     * From a feature mask {@code [batch, steps]} (non-zero where a step is valid); every row of
     * every step when {@code featureMask} is null.
     */
    static StepRows of(INDArray featureMask, int batch, int steps) {
        if (featureMask == null) {
            return all(batch, steps);
        }
        if (featureMask.rank() != 2
                || featureMask.size(0) != batch
                || featureMask.size(1) != steps) {
            throw new IllegalArgumentException(
                    "expected a feature mask of ["
                            + batch
                            + ", "
                            + steps
                            + "], got "
                            + Arrays.toString(featureMask.shape()));
        }
        return of(HostRuns.floats(featureMask), batch, steps);
    }

    /** From a batch-major mask, {@code mask[b * steps + t]}. */
    static StepRows of(float[] mask, int batch, int steps) {
        int[] rows = new int[steps];
        int through = 0;
        for (int t = steps - 1; t >= 0; t--) {
            // A row valid at t or at any later step of the window is computed at t.
            for (int b = batch - 1; b >= through; b--) {
                if (mask[b * steps + t] != 0) {
                    through = b + 1;
                    break;
                }
            }
            rows[t] = through;
        }
        return new StepRows(batch, rows);
    }

    /** The rows computed at step {@code t}. */
    int at(int t) {
        return rows[t];
    }

    /** The window's rows. */
    int batch() {
        return batch;
    }

    /** The window's steps. */
    int steps() {
        return rows.length;
    }

    /** Whether some step leaves rows out. */
    boolean partial() {
        for (int count : rows) {
            if (count < batch) {
                return true;
            }
        }
        return false;
    }

    /** Steps {@code [from, to)} of this window. */
    StepRows steps(int from, int to) {
        return new StepRows(batch, Arrays.copyOfRange(rows, from, to));
    }
}
