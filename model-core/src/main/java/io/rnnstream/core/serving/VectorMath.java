package io.rnnstream.core.serving;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The cell non-linearities on whole vectors, in float, for {@link VectorLayerStep}.
 *
 * <p>{@code sigmoid(x) = 1 / (1 + e^-x)} and {@code tanh(x) = 2 sigmoid(2x) - 1}; {@code e^y} by
 * Cody-Waite range reduction ({@code y = n ln2 + r}, {@code |r| <= ln2 / 2}), a degree-7 Taylor
 * polynomial of {@code e^r} and {@code 2^n} built in the exponent bits, with {@code y} clamped to
 * {@code [-30, 30]} (beyond, sigmoid is 0 or 1 within 1e-13). Measured by {@code VectorMathTest}
 * over {@code [-40, 40]}: within 1.2e-7 of {@code Math.tanh} and 6e-8 of the exact sigmoid, that is
 * float resolution ({@link Activations}, the scalar path's version in double, is within 6e-8).
 */
final class VectorMath {

    private static final float LIMIT = 30f;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    /** 1.5 * 2^23: adding it rounds to an integer that then sits in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;

    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    private VectorMath() {}

    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(x.species(), 1f).div(exp(x.neg()).add(1f));
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector s = sigmoid(x.add(x));
        return s.add(s).sub(1f);
    }

    /** {@code e^y}, relative error a few float ulps, for {@code |y| <= 30} (clamped beyond). */
    static FloatVector exp(FloatVector y) {
        FloatVector c = y.max(-LIMIT).min(LIMIT);
        FloatVector t = c.fma(LOG2E, ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(constant(n, -LN2_HI), c);
        r = n.fma(constant(n, -LN2_LO), r);
        FloatVector p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, constant(r, 1f / 120));
        p = p.fma(r, constant(r, 1f / 24));
        p = p.fma(r, constant(r, 1f / 6));
        p = p.fma(r, constant(r, 0.5f));
        p = p.fma(r, constant(r, 1f));
        p = p.fma(r, constant(r, 1f));
        IntVector bits = (IntVector) t.reinterpretAsInts();
        FloatVector scale =
                bits.sub(ROUNDER_BITS - 127)
                        .lanewise(VectorOperators.LSHL, 23)
                        .reinterpretAsFloats();
        return p.mul(scale);
    }

    private static FloatVector constant(FloatVector like, float value) {
        return FloatVector.broadcast(like.species(), value);
    }
}
