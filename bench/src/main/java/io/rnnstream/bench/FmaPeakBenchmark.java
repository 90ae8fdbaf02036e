package io.rnnstream.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * This core's peak single-precision fused-multiply-add rate (issue 7, item 1e): twelve independent
 * accumulators held in vector registers, so neither memory nor the FMA latency limits the loop. One
 * invocation performs {@link #fmasPerInvocation()} multiply-adds.
 *
 * <p>Uses the incubating Vector API so the loop is the widest FMA the JIT emits on this CPU; it is
 * a measuring instrument only, nothing in the product depends on it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FmaPeakBenchmark {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int ACCUMULATORS = 12;
    private static final int ROUNDS = 4096;

    // Non-final fields, so the JIT cannot fold the loop into a constant.
    public float multiplier = 0.999f;
    public float addend = 1e-3f;

    /** Multiply-adds per invocation of {@link #fma()}. */
    public static long fmasPerInvocation() {
        return (long) ROUNDS * ACCUMULATORS * SPECIES.length();
    }

    /** Lanes of the vectors the kernel uses (16 for AVX-512, 8 for AVX2). */
    public static int lanes() {
        return SPECIES.length();
    }

    @Benchmark
    public float fma() {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector c = FloatVector.broadcast(SPECIES, addend);
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        FloatVector a8 = a0;
        FloatVector a9 = a0;
        FloatVector a10 = a0;
        FloatVector a11 = a0;
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector sum =
                a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9);
        return sum.add(a10).add(a11).reduceLanes(VectorOperators.ADD);
    }
}
