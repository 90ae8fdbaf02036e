package io.rnnstream.stream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.Results;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;

/**
 * The expected answer of a stream test: every planned sequence evaluated offline, event by event,
 * by model-core's {@link SequenceClassifier}, compared with what the job committed.
 */
public final class OfflineReplay {

    /** Largest difference allowed between a streamed and an offline probability. */
    public static final double TOLERANCE = 1e-5;

    private OfflineReplay() {}

    /**
     * One result per planned sequence and no other: same label, same number of steps, trigger
     * {@code end}, the given model version, probabilities within {@link #TOLERANCE}.
     */
    public static void assertExact(
            EventScript script,
            List<Results.Result> results,
            SequenceClassifier classifier,
            long modelVersion) {
        Map<String, Results.Result> byId = oneResultPerSequence(results);
        assertThat(byId.keySet())
                .as("sequences with a result")
                .containsExactlyInAnyOrderElementsOf(
                        script.planned().stream()
                                .map(p -> p.key() + "/" + p.sequenceId())
                                .toList());
        for (EventScript.Planned plan : script.planned()) {
            assertResult(
                    byId.get(plan.key() + "/" + plan.sequenceId()),
                    plan.sequence().features(),
                    classifier,
                    modelVersion);
        }
    }

    /** Results by sequence id, failing on any sequence that has more than one. */
    public static Map<String, Results.Result> oneResultPerSequence(List<Results.Result> results) {
        Map<String, Long> counts =
                results.stream()
                        .collect(Collectors.groupingBy(Results.Result::id, Collectors.counting()));
        assertThat(counts)
                .as("sequences with more than one result (duplicates)")
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        return results.stream().collect(Collectors.toMap(Results.Result::id, Function.identity()));
    }

    /** {@code result} is the offline classification of {@code steps} ended by {@code end}. */
    public static void assertResult(
            Results.Result result,
            float[][] steps,
            SequenceClassifier classifier,
            long modelVersion) {
        assertThat(result).as("a result").isNotNull();
        float[] expected = classifier.classifyFeatures(steps);
        assertThat(result.trigger()).as("trigger of %s", result.id()).isEqualTo("end");
        assertThat(result.steps()).as("steps of %s", result.id()).isEqualTo(steps.length);
        assertThat(result.modelVersion()).as("version of %s", result.id()).isEqualTo(modelVersion);
        assertThat(result.label())
                .as("label of %s", result.id())
                .isEqualTo(classifier.spec().labels().get(SequenceClassifier.argMax(expected)));
        for (int c = 0; c < expected.length; c++) {
            assertThat((double) result.probabilities()[c])
                    .as("%s class %d of %s", result.id(), c, Arrays.toString(expected))
                    .isCloseTo(expected[c], Offset.offset(TOLERANCE));
        }
    }
}
