package io.rnnstream.core.serving;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cell non-linearities on whole vectors, in float, for {@link VectorLayerStep}, and a softmax's
 * exponentials for {@link Stepper}.
 *
 * <p>{@code sigmoid(x) = 1 / (1 + e^-x)} and {@code tanh(x) = 2 sigmoid(2x) - 1}; {@code e^y} by
 * Cody-Waite range reduction ({@code y = n ln2 + r}, {@code |r| <= ln2 / 2}), a degree-7 Taylor
 * polynomial of {@code e^r} and {@code 2^n} built in the exponent bits, with {@code y} clamped to
 * {@code [-30, 30]} (beyond, sigmoid is 0 or 1 within 1e-13). {@code VectorMathTest} holds both to
 * float resolution of the exact functions over {@code [-40, 40]}, as {@link Activations}, the
 * scalar path's version in double, is held.
 */
final class VectorMath {

    private static final VectorSpecies<Float> S = VectorLayerPlan.SPECIES;
    private static final float LIMIT = 30f;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    /** 1.5 * 2^23: adding it rounds to an integer that then sits in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;

    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    /** The lowest argument of {@link #softmaxExponentials}: {@code 2^-126} is the least normal. */
    private static final float SOFTMAX_FLOOR = -87f;

    private VectorMath() {}

    /**
     * {@code a[from + j] = s sigmoid(s a[from + j]) - (s - 1)} with {@code s = scales[sFrom + j]}
     * for {@code j < count} (a multiple of the lane count): {@code s = 1} is the sigmoid, {@code s
     * = 2} is tanh. One loop for both, with everything inlined: a vector that crosses a call C2 did
     * not inline is boxed on the heap, which costs far more than the arithmetic.
     */
    static void squash(float[] a, int from, int count, float[] scales, int sFrom) {
        int lanes = S.length();
        for (int j = 0; j < count; j += lanes) {
            FloatVector s = FloatVector.fromArray(S, scales, sFrom + j);
            FloatVector y = FloatVector.fromArray(S, a, from + j).mul(s).neg();
            // e^y: y = n ln2 + r, e^r by Taylor (Horner), 2^n in the exponent bits.
            FloatVector c = y.max(-LIMIT).min(LIMIT);
            FloatVector t = c.fma(LOG2E, ROUNDER);
            FloatVector n = t.sub(ROUNDER);
            FloatVector r = n.fma(constant(-LN2_HI), c);
            r = n.fma(constant(-LN2_LO), r);
            FloatVector p = r.fma(1f / 5040, 1f / 720);
            p = p.fma(r, constant(1f / 120));
            p = p.fma(r, constant(1f / 24));
            p = p.fma(r, constant(1f / 6));
            p = p.fma(r, constant(0.5f));
            p = p.fma(r, constant(1f));
            p = p.fma(r, constant(1f));
            IntVector bits = (IntVector) t.reinterpretAsInts();
            // (n + 127) << 23 as a multiplication: C2 17 does not intrinsify the shift by a scalar.
            FloatVector e = p.mul(bits.sub(ROUNDER_BITS - 127).mul(1 << 23).reinterpretAsFloats());
            FloatVector sigmoid = constant(1f).div(e.add(1f));
            sigmoid.fma(s, constant(1f).sub(s)).intoArray(a, from + j);
        }
    }

    /**
     * {@code out[j] = e^(a[j] - max)} for {@code j < count} and their sum: the same range reduction
     * and polynomial as {@link #squash}, with the argument clamped below at {@value #SOFTMAX_FLOOR}
     * (where {@code 2^n} still has a normal exponent: a smaller term comes out as {@code e^-87},
     * about 1.6e-38, next to the largest term's 1). The polynomial is written out here as in {@link
     * #squash} rather than shared, for the reason given there. The tail beyond the last whole
     * vector uses {@link Math#exp}.
     */
    static double softmaxExponentials(float[] a, int count, float max, float[] out) {
        int lanes = S.length();
        int whole = count - count % lanes;
        FloatVector sums = FloatVector.zero(S);
        for (int j = 0; j < whole; j += lanes) {
            FloatVector c = FloatVector.fromArray(S, a, j).sub(max).max(SOFTMAX_FLOOR);
            FloatVector t = c.fma(LOG2E, ROUNDER);
            FloatVector n = t.sub(ROUNDER);
            FloatVector r = n.fma(constant(-LN2_HI), c);
            r = n.fma(constant(-LN2_LO), r);
            FloatVector p = r.fma(1f / 5040, 1f / 720);
            p = p.fma(r, constant(1f / 120));
            p = p.fma(r, constant(1f / 24));
            p = p.fma(r, constant(1f / 6));
            p = p.fma(r, constant(0.5f));
            p = p.fma(r, constant(1f));
            p = p.fma(r, constant(1f));
            IntVector bits = (IntVector) t.reinterpretAsInts();
            FloatVector e = p.mul(bits.sub(ROUNDER_BITS - 127).mul(1 << 23).reinterpretAsFloats());
            e.intoArray(out, j);
            sums = sums.add(e);
        }
        double sum = sums.reduceLanes(VectorOperators.ADD);
        for (int j = whole; j < count; j++) {
            double e = Math.exp(a[j] - max);
            out[j] = (float) e;
            sum += e;
        }
        return sum;
    }

    private static FloatVector constant(float value) {
        return FloatVector.broadcast(S, value);
    }
}
