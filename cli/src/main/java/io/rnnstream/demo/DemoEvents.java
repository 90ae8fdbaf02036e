package io.rnnstream.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.data.LabeledSequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns whole labelled sequences into the streaming job's events, one per step (a frame or a word),
 * and interleaves them round-robin across keys the way many devices and conversations talking at
 * once would. Event times are stamped when an event is sent.
 */
public final class DemoEvents {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A held-out sequence assigned to a key of a model. */
    public record Planned(String model, String key, String sequenceId, LabeledSequence sequence) {
        public String id() {
            return key + "/" + sequenceId;
        }
    }

    /** One event without its time; {@code last} marks a sequence's final step. */
    public record Step(Planned plan, ObjectNode event, boolean last) {}

    private final Map<String, List<Planned>> byKey = new LinkedHashMap<>();

    public DemoEvents add(Planned plan) {
        byKey.computeIfAbsent(plan.key(), k -> new ArrayList<>()).add(plan);
        return this;
    }

    public List<Planned> planned() {
        List<Planned> all = new ArrayList<>();
        byKey.values().forEach(all::addAll);
        return all;
    }

    /** Every step of every sequence, one key's steps in order, keys taking turns. */
    public List<Step> interleaved() {
        List<List<Step>> perKey = new ArrayList<>();
        for (List<Planned> plans : byKey.values()) {
            List<Step> steps = new ArrayList<>();
            for (Planned plan : plans) {
                steps.addAll(steps(plan));
            }
            perKey.add(steps);
        }
        List<Step> all = new ArrayList<>();
        boolean more = true;
        for (int position = 0; more; position++) {
            more = false;
            for (List<Step> steps : perKey) {
                if (position < steps.size()) {
                    all.add(steps.get(position));
                    more = true;
                }
            }
        }
        return all;
    }

    /** The events of one sequence: {@code features} per frame or {@code token} per word. */
    static List<Step> steps(Planned plan) {
        LabeledSequence sequence = plan.sequence();
        int length = sequence.length();
        List<Step> steps = new ArrayList<>(length);
        for (int t = 0; t < length; t++) {
            ObjectNode event = MAPPER.createObjectNode();
            event.put("key", plan.key());
            event.put("seq", plan.sequenceId());
            if (plan.model() != null) {
                event.put("model", plan.model());
            }
            if (sequence.features() != null) {
                ArrayNode features = event.putArray("features");
                for (float value : sequence.features()[t]) {
                    features.add(value);
                }
            } else {
                event.put("token", sequence.tokens().get(t));
            }
            if (t == length - 1) {
                event.put("end", true);
            }
            steps.add(new Step(plan, event, t == length - 1));
        }
        return steps;
    }

    /** The step's JSON with event time {@code ts}; {@code label} is added when not null. */
    static byte[] json(Step step, long ts, String label) {
        ObjectNode event = step.event().deepCopy();
        event.put("ts", ts);
        if (label != null) {
            event.put("label", label);
        }
        return event.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
