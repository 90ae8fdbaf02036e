package io.rnnstream.retrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.util.Collector;

/**
 * Turns all labelled events of one key into sequences. Events are ordered by event time (ties by
 * partition and offset); a sequence ends at an event with a label, an event with {@code end=true},
 * or where the sequence id changes. A sequence is usable when its last event carries the label and
 * all its steps are of one input kind and dimension; every other outcome is reported with a reason:
 *
 * <ul>
 *   <li>{@code unlabelled}: the sequence ended without a label on its last event;
 *   <li>{@code incomplete}: the key's last sequence has not ended yet (left for the next run);
 *   <li>{@code mixed-input}: feature and token events in one sequence;
 *   <li>{@code wrong-dimension}: feature vectors of different lengths in one sequence.
 * </ul>
 */
final class SequenceAssembler
        extends ProcessWindowFunction<LabelledStep, AssembledSequence, String, GlobalWindow> {

    private static final long serialVersionUID = 1L;

    static final Comparator<LabelledStep> EVENT_ORDER =
            Comparator.comparingLong(LabelledStep::timestamp)
                    .thenComparingInt(LabelledStep::partition)
                    .thenComparingLong(LabelledStep::offset);

    @Override
    public void process(
            String key,
            Context context,
            Iterable<LabelledStep> events,
            Collector<AssembledSequence> out) {
        List<LabelledStep> ordered = new ArrayList<>();
        events.forEach(ordered::add);
        ordered.sort(EVENT_ORDER);
        assemble(key, ordered, out::collect);
    }

    /** Splits one key's ordered events into sequences; visible for unit tests. */
    static void assemble(
            String key,
            List<LabelledStep> ordered,
            java.util.function.Consumer<AssembledSequence> out) {
        List<LabelledStep> current = new ArrayList<>();
        for (LabelledStep step : ordered) {
            if (!current.isEmpty()
                    && !Objects.equals(current.get(0).sequenceId(), step.sequenceId())) {
                out.accept(close(key, current));
                current = new ArrayList<>();
            }
            current.add(step);
            if (step.end() || step.label() != null) {
                out.accept(close(key, current));
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            LabelledStep last = current.get(current.size() - 1);
            out.accept(
                    AssembledSequence.problem(
                            key,
                            last.sequenceId(),
                            "incomplete",
                            current.size()
                                    + " events without an end or a label yet; read again by a later run",
                            last.where()));
        }
    }

    private static AssembledSequence close(String key, List<LabelledStep> steps) {
        LabelledStep first = steps.get(0);
        LabelledStep last = steps.get(steps.size() - 1);
        String sequenceId = first.sequenceId();
        if (last.label() == null) {
            return AssembledSequence.problem(
                    key,
                    sequenceId,
                    "unlabelled",
                    "sequence of "
                            + steps.size()
                            + " events ended without a label on its last event",
                    last.where());
        }
        boolean features = first.features() != null;
        List<float[]> vectors = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (LabelledStep step : steps) {
            if ((step.features() != null) != features) {
                return AssembledSequence.problem(
                        key,
                        sequenceId,
                        "mixed-input",
                        "sequence mixes feature and text events",
                        step.where());
            }
            if (features) {
                if (step.features().length != first.features().length) {
                    return AssembledSequence.problem(
                            key,
                            sequenceId,
                            "wrong-dimension",
                            "event has "
                                    + step.features().length
                                    + " features, the sequence's first event has "
                                    + first.features().length,
                            step.where());
                }
                vectors.add(step.features());
            } else {
                tokens.addAll(Arrays.asList(step.tokens()));
            }
        }
        return new AssembledSequence(
                key,
                sequenceId,
                last.label(),
                features ? vectors.toArray(float[][]::new) : null,
                features ? null : tokens.toArray(String[]::new),
                null,
                null,
                first.where());
    }
}
