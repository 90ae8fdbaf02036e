package io.rnnstream.core.serving;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD layer step on a {@link VectorLayerPlan}: register-tiled products, then the cell update
 * on whole vectors ({@link VectorMath}).
 *
 * <p>Why register tiles: the scalar path's auto-vectorized axpy loops load and store the
 * pre-activations once per few multiply-adds. Here a tile of output vectors (8 for one key; 4 keys
 * times 4 vectors for a batch) stays in registers, as named locals so that C2 allocates them to
 * registers, across the whole {@code [x, h_prev]} loop: each weight vector is loaded once per tile
 * and used for every key of it, and each accumulator is stored once.
 *
 * <p>Loaded only when {@link ServingPath} found the incubator module.
 */
final class VectorLayerStep implements LayerStep {

    private static final VectorSpecies<Float> S = VectorLayerPlan.SPECIES;
    private static final int L = VectorLayerPlan.LANES;

    private final VectorLayerPlan plan;
    private final float[] weights;
    private final int rows;
    private final int stride;
    private final int span;

    /** Per key of a tile: {@code [x, h_prev]}, {@code rows} floats. */
    private final float[] xh;

    /**
     * Per key of a tile, {@code span} floats: the pre-activations in packed column order ({@code
     * stride} floats), then (LSTM) the padded new cell state.
     */
    private final float[] z;

    /** LSTM h and c of one key, padded to whole blocks (the padding lanes are never read back). */
    private final float[] h;

    private final float[] c;

    VectorLayerStep(VectorLayerPlan plan) {
        this.plan = plan;
        this.weights = plan.weights;
        this.rows = plan.rows;
        this.stride = plan.rowStride;
        this.xh = new float[KEY_TILE * rows];
        this.span = plan.scales.length;
        this.z = new float[KEY_TILE * span];
        this.h = new float[plan.blocks * L];
        this.c = new float[plan.blocks * L];
    }

    @Override
    public void step(float[] x, int xOffset, float[] values, int base) {
        gather(0, x, xOffset, values, base);
        product(0, 0);
        activate(0, values, base);
    }

    @Override
    public void stepKeys(int keys, float[] x, int[] xOffsets, float[] values, int[] bases) {
        for (int q = 0; q < keys; q++) {
            gather(q, x, xOffsets[q], values, bases[q]);
        }
        int q = 0;
        for (; q + 3 < keys; q += 4) {
            int v = 0;
            for (; v + 3 < plan.vectors; v += 4) {
                tile4Keys4(q, v);
            }
            for (int r = q; r < q + 4; r++) {
                product(r, v);
            }
        }
        for (; q < keys; q++) {
            product(q, 0);
        }
        for (q = 0; q < keys; q++) {
            activate(q, values, bases[q]);
        }
    }

    /** Key q's {@code [x, h_prev]}; read before any new h is written. */
    private void gather(int q, float[] x, int xOffset, float[] values, int base) {
        System.arraycopy(x, xOffset, xh, q * rows, plan.inputSize);
        System.arraycopy(values, base, xh, q * rows + plan.inputSize, plan.hidden);
    }

    /** Key q's pre-activations for vector columns {@code from ...}: tiles of 16, 8, 4, then 1. */
    private void product(int q, int from) {
        int v = from;
        for (; v + 15 < plan.vectors; v += 16) {
            tile16(q, v);
        }
        for (; v + 7 < plan.vectors; v += 8) {
            tile8(q, v);
        }
        for (; v + 3 < plan.vectors; v += 4) {
            tile4(q, v);
        }
        for (; v < plan.vectors; v++) {
            tile1(q, v);
        }
    }

    /** Sixteen columns: each row of the packed matrix is read in one sequential run. */
    private void tile16(int q, int v) {
        float[] w = weights;
        float[] b = plan.bias;
        int col = v * L;
        FloatVector a0 = FloatVector.fromArray(S, b, col);
        FloatVector a1 = FloatVector.fromArray(S, b, col + L);
        FloatVector a2 = FloatVector.fromArray(S, b, col + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, b, col + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, b, col + 4 * L);
        FloatVector a5 = FloatVector.fromArray(S, b, col + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, b, col + 6 * L);
        FloatVector a7 = FloatVector.fromArray(S, b, col + 7 * L);
        FloatVector a8 = FloatVector.fromArray(S, b, col + 8 * L);
        FloatVector a9 = FloatVector.fromArray(S, b, col + 9 * L);
        FloatVector a10 = FloatVector.fromArray(S, b, col + 10 * L);
        FloatVector a11 = FloatVector.fromArray(S, b, col + 11 * L);
        FloatVector a12 = FloatVector.fromArray(S, b, col + 12 * L);
        FloatVector a13 = FloatVector.fromArray(S, b, col + 13 * L);
        FloatVector a14 = FloatVector.fromArray(S, b, col + 14 * L);
        FloatVector a15 = FloatVector.fromArray(S, b, col + 15 * L);
        int xo = q * rows;
        for (int k = 0, p = col; k < rows; k++, p += stride) {
            FloatVector xk = FloatVector.broadcast(S, xh[xo + k]);
            a0 = FloatVector.fromArray(S, w, p).fma(xk, a0);
            a1 = FloatVector.fromArray(S, w, p + L).fma(xk, a1);
            a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(xk, a2);
            a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(xk, a3);
            a4 = FloatVector.fromArray(S, w, p + 4 * L).fma(xk, a4);
            a5 = FloatVector.fromArray(S, w, p + 5 * L).fma(xk, a5);
            a6 = FloatVector.fromArray(S, w, p + 6 * L).fma(xk, a6);
            a7 = FloatVector.fromArray(S, w, p + 7 * L).fma(xk, a7);
            a8 = FloatVector.fromArray(S, w, p + 8 * L).fma(xk, a8);
            a9 = FloatVector.fromArray(S, w, p + 9 * L).fma(xk, a9);
            a10 = FloatVector.fromArray(S, w, p + 10 * L).fma(xk, a10);
            a11 = FloatVector.fromArray(S, w, p + 11 * L).fma(xk, a11);
            a12 = FloatVector.fromArray(S, w, p + 12 * L).fma(xk, a12);
            a13 = FloatVector.fromArray(S, w, p + 13 * L).fma(xk, a13);
            a14 = FloatVector.fromArray(S, w, p + 14 * L).fma(xk, a14);
            a15 = FloatVector.fromArray(S, w, p + 15 * L).fma(xk, a15);
        }
        int zo = q * span + col;
        a0.intoArray(z, zo);
        a1.intoArray(z, zo + L);
        a2.intoArray(z, zo + 2 * L);
        a3.intoArray(z, zo + 3 * L);
        a4.intoArray(z, zo + 4 * L);
        a5.intoArray(z, zo + 5 * L);
        a6.intoArray(z, zo + 6 * L);
        a7.intoArray(z, zo + 7 * L);
        a8.intoArray(z, zo + 8 * L);
        a9.intoArray(z, zo + 9 * L);
        a10.intoArray(z, zo + 10 * L);
        a11.intoArray(z, zo + 11 * L);
        a12.intoArray(z, zo + 12 * L);
        a13.intoArray(z, zo + 13 * L);
        a14.intoArray(z, zo + 14 * L);
        a15.intoArray(z, zo + 15 * L);
    }

    private void tile8(int q, int v) {
        float[] w = weights;
        float[] b = plan.bias;
        int col = v * L;
        FloatVector a0 = FloatVector.fromArray(S, b, col);
        FloatVector a1 = FloatVector.fromArray(S, b, col + L);
        FloatVector a2 = FloatVector.fromArray(S, b, col + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, b, col + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, b, col + 4 * L);
        FloatVector a5 = FloatVector.fromArray(S, b, col + 5 * L);
        FloatVector a6 = FloatVector.fromArray(S, b, col + 6 * L);
        FloatVector a7 = FloatVector.fromArray(S, b, col + 7 * L);
        int xo = q * rows;
        for (int k = 0, p = col; k < rows; k++, p += stride) {
            FloatVector xk = FloatVector.broadcast(S, xh[xo + k]);
            a0 = FloatVector.fromArray(S, w, p).fma(xk, a0);
            a1 = FloatVector.fromArray(S, w, p + L).fma(xk, a1);
            a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(xk, a2);
            a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(xk, a3);
            a4 = FloatVector.fromArray(S, w, p + 4 * L).fma(xk, a4);
            a5 = FloatVector.fromArray(S, w, p + 5 * L).fma(xk, a5);
            a6 = FloatVector.fromArray(S, w, p + 6 * L).fma(xk, a6);
            a7 = FloatVector.fromArray(S, w, p + 7 * L).fma(xk, a7);
        }
        int zo = q * span + col;
        a0.intoArray(z, zo);
        a1.intoArray(z, zo + L);
        a2.intoArray(z, zo + 2 * L);
        a3.intoArray(z, zo + 3 * L);
        a4.intoArray(z, zo + 4 * L);
        a5.intoArray(z, zo + 5 * L);
        a6.intoArray(z, zo + 6 * L);
        a7.intoArray(z, zo + 7 * L);
    }

    private void tile4(int q, int v) {
        float[] w = weights;
        float[] b = plan.bias;
        int col = v * L;
        FloatVector a0 = FloatVector.fromArray(S, b, col);
        FloatVector a1 = FloatVector.fromArray(S, b, col + L);
        FloatVector a2 = FloatVector.fromArray(S, b, col + 2 * L);
        FloatVector a3 = FloatVector.fromArray(S, b, col + 3 * L);
        int xo = q * rows;
        for (int k = 0, p = col; k < rows; k++, p += stride) {
            FloatVector xk = FloatVector.broadcast(S, xh[xo + k]);
            a0 = FloatVector.fromArray(S, w, p).fma(xk, a0);
            a1 = FloatVector.fromArray(S, w, p + L).fma(xk, a1);
            a2 = FloatVector.fromArray(S, w, p + 2 * L).fma(xk, a2);
            a3 = FloatVector.fromArray(S, w, p + 3 * L).fma(xk, a3);
        }
        int zo = q * span + col;
        a0.intoArray(z, zo);
        a1.intoArray(z, zo + L);
        a2.intoArray(z, zo + 2 * L);
        a3.intoArray(z, zo + 3 * L);
    }

    /** One column: two accumulators over even and odd rows, so two FMA chains run at once. */
    private void tile1(int q, int v) {
        float[] w = weights;
        int col = v * L;
        FloatVector a0 = FloatVector.fromArray(S, plan.bias, col);
        FloatVector a1 = FloatVector.zero(S);
        int xo = q * rows;
        int k = 0;
        int p = col;
        for (; k + 1 < rows; k += 2, p += 2 * stride) {
            a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, xh[xo + k]), a0);
            a1 =
                    FloatVector.fromArray(S, w, p + stride)
                            .fma(FloatVector.broadcast(S, xh[xo + k + 1]), a1);
        }
        if (k < rows) {
            a0 = FloatVector.fromArray(S, w, p).fma(FloatVector.broadcast(S, xh[xo + k]), a0);
        }
        a0.add(a1).intoArray(z, q * span + col);
    }

    /** Keys q .. q+3, vector columns v .. v+3: each weight vector load serves four keys. */
    private void tile4Keys4(int q, int v) {
        float[] w = weights;
        float[] b = plan.bias;
        int col = v * L;
        FloatVector b0 = FloatVector.fromArray(S, b, col);
        FloatVector b1 = FloatVector.fromArray(S, b, col + L);
        FloatVector b2 = FloatVector.fromArray(S, b, col + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, b, col + 3 * L);
        FloatVector a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        FloatVector a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        FloatVector a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        FloatVector a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        int x0 = q * rows;
        int x1 = x0 + rows;
        int x2 = x1 + rows;
        int x3 = x2 + rows;
        for (int k = 0, p = col; k < rows; k++, p += stride) {
            FloatVector w0 = FloatVector.fromArray(S, w, p);
            FloatVector w1 = FloatVector.fromArray(S, w, p + L);
            FloatVector w2 = FloatVector.fromArray(S, w, p + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, p + 3 * L);
            FloatVector k0 = FloatVector.broadcast(S, xh[x0 + k]);
            a00 = w0.fma(k0, a00);
            a01 = w1.fma(k0, a01);
            a02 = w2.fma(k0, a02);
            a03 = w3.fma(k0, a03);
            FloatVector k1 = FloatVector.broadcast(S, xh[x1 + k]);
            a10 = w0.fma(k1, a10);
            a11 = w1.fma(k1, a11);
            a12 = w2.fma(k1, a12);
            a13 = w3.fma(k1, a13);
            FloatVector k2 = FloatVector.broadcast(S, xh[x2 + k]);
            a20 = w0.fma(k2, a20);
            a21 = w1.fma(k2, a21);
            a22 = w2.fma(k2, a22);
            a23 = w3.fma(k2, a23);
            FloatVector k3 = FloatVector.broadcast(S, xh[x3 + k]);
            a30 = w0.fma(k3, a30);
            a31 = w1.fma(k3, a31);
            a32 = w2.fma(k3, a32);
            a33 = w3.fma(k3, a33);
        }
        // Stored here, not in a helper: a vector passed to a call C2 does not inline is boxed.
        int z0 = q * span + col;
        a00.intoArray(z, z0);
        a01.intoArray(z, z0 + L);
        a02.intoArray(z, z0 + 2 * L);
        a03.intoArray(z, z0 + 3 * L);
        int z1 = z0 + span;
        a10.intoArray(z, z1);
        a11.intoArray(z, z1 + L);
        a12.intoArray(z, z1 + 2 * L);
        a13.intoArray(z, z1 + 3 * L);
        int z2 = z1 + span;
        a20.intoArray(z, z2);
        a21.intoArray(z, z2 + L);
        a22.intoArray(z, z2 + 2 * L);
        a23.intoArray(z, z2 + 3 * L);
        int z3 = z2 + span;
        a30.intoArray(z, z3);
        a31.intoArray(z, z3 + L);
        a32.intoArray(z, z3 + 2 * L);
        a33.intoArray(z, z3 + 3 * L);
    }

    /**
     * Key q's new h (and c) from its pre-activations, in key q's slice of {@link #z}: the gates,
     * then (LSTM) the new cell state. For LSTM {@code c = f c + i g}, {@code h = o tanh(c)}.
     *
     * <p>One call site of {@link VectorMath#squash}, in a loop, on purpose: C2 inlines it here, and
     * with two inlined copies the method exceeded C2's node budget, which left vector operations
     * boxed.
     */
    private void activate(int q, float[] values, int base) {
        int hidden = plan.hidden;
        int zo = q * span;
        int passes = plan.lstm ? 2 : 1;
        for (int pass = 0; pass < passes; pass++) {
            if (pass == 1) {
                cellState(zo, values, base + hidden);
            }
            int from = pass == 0 ? 0 : stride;
            VectorMath.squash(z, zo + from, pass == 0 ? stride : span - stride, plan.scales, from);
        }
        if (!plan.lstm) {
            // One gate: the packed columns are the units in order.
            System.arraycopy(z, zo, values, base, hidden);
            return;
        }
        for (int blk = 0; blk < plan.blocks; blk++) {
            int u = blk * L;
            FloatVector o = FloatVector.fromArray(S, z, zo + blk * 4 * L + 3 * L);
            o.mul(FloatVector.fromArray(S, z, zo + stride + u)).intoArray(h, u);
        }
        System.arraycopy(h, 0, values, base, hidden);
        System.arraycopy(c, 0, values, base + hidden, hidden);
    }

    /** {@code c = f c + i g} into {@link #c}, and a copy after the gates for the tanh pass. */
    private void cellState(int zo, float[] values, int cBase) {
        System.arraycopy(values, cBase, c, 0, plan.hidden);
        for (int blk = 0; blk < plan.blocks; blk++) {
            int zb = zo + blk * 4 * L;
            int u = blk * L;
            FloatVector i = FloatVector.fromArray(S, z, zb);
            FloatVector f = FloatVector.fromArray(S, z, zb + L);
            FloatVector g = FloatVector.fromArray(S, z, zb + 2 * L);
            FloatVector cNew = f.fma(FloatVector.fromArray(S, c, u), i.mul(g));
            cNew.intoArray(c, u);
            cNew.intoArray(z, zo + stride + u);
        }
    }
}
