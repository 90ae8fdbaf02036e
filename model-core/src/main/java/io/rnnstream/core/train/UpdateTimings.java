package io.rnnstream.core.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a trainer's time went, summed over its windows: building the window's inputs, the recurrent
 * layers forward, the output layer and loss, the recurrent layers backward, and DL4J's updater.
 */
public final class UpdateTimings {

    long input;
    long forward;
    long output;
    long backward;
    long update;
    long updates;

    /** Milliseconds per update for each part, in the order above. */
    public Map<String, Double> millisecondsPerUpdate() {
        Map<String, Double> parts = new LinkedHashMap<>();
        double per = Math.max(1, updates) * 1e6;
        parts.put("input", input / per);
        parts.put("forward", forward / per);
        parts.put("output", output / per);
        parts.put("backward", backward / per);
        parts.put("update", update / per);
        return parts;
    }

    public long updates() {
        return updates;
    }
}
