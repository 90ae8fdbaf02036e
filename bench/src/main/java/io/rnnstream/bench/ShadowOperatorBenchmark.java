package io.rnnstream.bench;

/**
 * {@link OperatorBenchmark} with one shadow version (same shape, other weights) running beside the
 * serving one on every key: each event costs a second step in the shadow's own state, and each
 * sequence end a second result. The ratio of the two benchmarks' times per event is the shadow's
 * cost.
 */
public class ShadowOperatorBenchmark extends OperatorBenchmark {

    @Override
    protected int shadows() {
        return 1;
    }
}
