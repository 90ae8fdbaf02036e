package io.rnnstream.stream.classify;

import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import java.time.Duration;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * Lets a harness test wait for the model loads it caused: loads run on the registry's threads, and
 * keys that need a loading version wait for their processing-time retry, which a harness fires only
 * when the test moves its clock.
 */
final class ModelLoads {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ModelLoads() {}

    /**
     * Moves the harness's processing time on, one retry interval at a time, until every requested
     * load has finished, every announced version has verified or been refused, and no key waits for
     * a version.
     */
    static void await(KeyedBroadcastOperatorTestHarness<String, Event, RawRecord, ?> harness)
            throws Exception {
        SequenceClassifierFunction function =
                (SequenceClassifierFunction)
                        ((AbstractUdfStreamOperator<?, ?>) harness.getOperator()).getUserFunction();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!function.settled()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "model loads did not finish, versions are still unverified or keys still"
                                + " wait for a version after "
                                + TIMEOUT);
            }
            harness.setProcessingTime(harness.getProcessingTime() + DeferredTimers.RETRY_MILLIS);
            Thread.sleep(2);
        }
    }
}
