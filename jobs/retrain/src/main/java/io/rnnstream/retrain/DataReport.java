package io.rnnstream.retrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the run read and what it kept out of training, by reason, with a few examples per reason
 * naming the record.
 */
public final class DataReport {

    private static final int EXAMPLES_PER_REASON = 5;

    private final Map<String, Long> problems = new TreeMap<>();
    private final Map<String, List<String>> examples = new TreeMap<>();
    private final Map<String, Integer> sequencesBySource = new LinkedHashMap<>();

    void problem(String reason, String example) {
        problems.merge(reason, 1L, Long::sum);
        List<String> list = examples.computeIfAbsent(reason, r -> new ArrayList<>());
        if (list.size() < EXAMPLES_PER_REASON) {
            list.add(example);
        }
    }

    void sequences(String source, int count) {
        sequencesBySource.merge(source, count, Integer::sum);
    }

    /** Unusable records and sequences by reason. */
    public Map<String, Long> problems() {
        return Map.copyOf(problems);
    }

    /** Usable sequences by source (the topic or a file). */
    public Map<String, Integer> sequencesBySource() {
        return Map.copyOf(sequencesBySource);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sequencesBySource", sequencesBySource);
        map.put("problems", problems);
        map.put("problemExamples", examples);
        return map;
    }
}
