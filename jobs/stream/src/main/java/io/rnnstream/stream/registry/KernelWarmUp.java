package io.rnnstream.stream.registry;

import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.ServingPath;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the serving kernels up before a loaded model version meets real events: uncompiled, the
 * vector path boxes every vector and costs orders of magnitude more per step. Compiled code and its
 * branch profiles belong to the kernels and the shapes they loop over, not to a version, so each
 * shape is warmed once per job class loader (the JIT's scope for the job's classes): later versions
 * of the same shape, the other subtasks in the TaskManager and versions reloaded after leaving the
 * cache skip it.
 */
public final class KernelWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(KernelWarmUp.class);

    /** Steps run on a scratch state; the budget bounds the pause when the JIT is slow. */
    private static final int STEPS = 20_000;

    private static final Duration BUDGET = Duration.ofSeconds(2);

    /**
     * What the kernels' compiled code depends on: the path and the model's shape. Versions that
     * differ only in their label names warm up once each, which is harmless.
     */
    private record Shape(ServingPath path, ModelSpec spec) {}

    private static final Set<Shape> WARMED = ConcurrentHashMap.newKeySet();

    private KernelWarmUp() {}

    /** Whether {@code classifier}'s shape has been warmed up in this class loader. */
    public static boolean isWarm(SequenceClassifier classifier) {
        return WARMED.contains(new Shape(classifier.path(), classifier.spec()));
    }

    /**
     * Warms {@code classifier}'s shape up unless that was done already. Marked warm only when done,
     * so two subtasks loading the same shape at once both warm up rather than one serving cold.
     */
    public static void warmUp(String version, SequenceClassifier classifier) {
        Shape shape = new Shape(classifier.path(), classifier.spec());
        if (WARMED.contains(shape)) {
            return;
        }
        long start = System.nanoTime();
        int steps = classifier.warmUp(STEPS, BUDGET);
        WARMED.add(shape);
        LOG.info(
                "{}: serving path {}, kernels warmed up with {} steps in {} ms",
                version,
                shape.path(),
                steps,
                (System.nanoTime() - start) / 1_000_000);
    }
}
