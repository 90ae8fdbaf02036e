package io.rnnstream.core.serving;

/**
 * {@code tanh} over a run of doubles, written so that HotSpot's C2 compiler turns the loop into
 * SIMD code ({@link Math#tanh} computes one value at a time).
 *
 * <p>{@code tanh(x) = 1 - 2 / (e^2x + 1)}, with {@code e^2x} from a degree-10 Taylor polynomial of
 * {@code e^(2x/32)} squared five times, for {@code |x| <= 9} (beyond, tanh is +-1 in float): within
 * 1e-7 of {@code Math.tanh} everywhere, which is float resolution. {@code TanhTest} holds it there.
 */
public final class Tanh {

    private static final double LIMIT = 9.0;

    private Tanh() {}

    /** {@code d[j] = tanh(d[j])} for {@code from <= j < to}. */
    public static void apply(double[] d, int from, int to) {
        for (int j = from; j < to; j++) {
            double s = Math.max(-LIMIT, Math.min(LIMIT, d[j])) * (2.0 / 32.0);
            // e^s by Horner's rule on the Taylor series, then e^(32 s) = e^2x by squaring.
            double e = 1.0 / 362880;
            e = e * s + 1.0 / 40320;
            e = e * s + 1.0 / 5040;
            e = e * s + 1.0 / 720;
            e = e * s + 1.0 / 120;
            e = e * s + 1.0 / 24;
            e = e * s + 1.0 / 6;
            e = e * s + 1.0 / 2;
            e = e * s + 1.0;
            e = e * s + 1.0;
            e *= e;
            e *= e;
            e *= e;
            e *= e;
            e *= e;
            d[j] = 1.0 - 2.0 / (e + 1.0);
        }
    }
}
