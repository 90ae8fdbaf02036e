package io.rnnstream.bench;

import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.testkit.Results;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak's verdict: every sequence sent, replayed offline by model-core's {@link
 * SequenceClassifier}, against the committed results. A sequence is lost without a result,
 * duplicated with more than one, and mismatched when its result is not the offline classification
 * (label, probabilities within {@link #TOLERANCE}, steps, trigger {@code end}) by the model version
 * the result names, or names a version that was never announced, or an older version than an
 * earlier sequence of the same key (a key's sequences start on the version its subtask serves,
 * which only moves forward).
 */
final class SoakCheck {

    /** Largest difference allowed between a streamed and an offline probability. */
    static final double TOLERANCE = 1e-5;

    private final List<LabeledSequence> patterns;
    private final Map<Long, SequenceClassifier> versions;
    private final Map<String, float[]> replayed = new HashMap<>();

    /** Counts of one verdict. */
    record Counts(
            int expected,
            int received,
            int lost,
            int duplicated,
            int mismatched,
            int unexpected,
            Map<Long, Integer> resultsByVersion,
            Map<String, String> faultBySequence,
            List<String> examples) {

        boolean exact() {
            return lost == 0 && duplicated == 0 && mismatched == 0 && unexpected == 0;
        }
    }

    SoakCheck(List<LabeledSequence> patterns, Map<Long, SequenceClassifier> versions) {
        this.patterns = patterns;
        this.versions = versions;
    }

    /** Compares {@code results} with the offline replay of {@code sent} (in sending order). */
    Counts compare(List<SoakLoad.Sent> sent, List<Results.Result> results) {
        Map<String, List<Results.Result>> byId = new HashMap<>();
        for (Results.Result result : results) {
            byId.computeIfAbsent(result.id(), id -> new ArrayList<>()).add(result);
        }
        List<String> examples = new ArrayList<>();
        int lost = 0;
        int duplicated = 0;
        int mismatched = 0;
        Map<String, Long> versionOfKey = new HashMap<>();
        Map<String, String> faultBySequence = new HashMap<>();
        List<SoakLoad.Sent> ordered = new ArrayList<>(sent);
        ordered.sort(java.util.Comparator.comparingLong(SoakLoad.Sent::firstSentMillis));
        for (SoakLoad.Sent sequence : ordered) {
            List<Results.Result> own = byId.remove(sequence.resultId());
            if (own == null) {
                lost++;
                faultBySequence.put(sequence.resultId(), "lost");
                note(examples, "lost " + sequence.resultId());
                continue;
            }
            duplicated += own.size() - 1;
            if (own.size() > 1) {
                faultBySequence.put(sequence.resultId(), "duplicated");
                note(examples, "duplicated " + sequence.resultId() + " x" + own.size());
            }
            for (Results.Result result : own) {
                String problem = problem(sequence, result, versionOfKey.get(sequence.key()));
                if (problem != null) {
                    mismatched++;
                    faultBySequence.putIfAbsent(sequence.resultId(), "mismatched");
                    note(examples, problem);
                }
            }
            versionOfKey.merge(sequence.key(), own.get(0).modelVersion(), Math::max);
        }
        int unexpected = 0;
        for (List<Results.Result> others : byId.values()) {
            unexpected += others.size();
            note(examples, "unexpected result " + others.get(0).id());
        }
        Map<Long, Integer> byVersion = new TreeMap<>();
        results.forEach(r -> byVersion.merge(r.modelVersion(), 1, Integer::sum));
        return new Counts(
                sent.size(),
                results.size(),
                lost,
                duplicated,
                mismatched,
                unexpected,
                byVersion,
                faultBySequence,
                examples);
    }

    /** What is wrong with {@code result}, or null if it is a legal, exact answer. */
    private String problem(SoakLoad.Sent sequence, Results.Result result, Long keyVersionBefore) {
        SequenceClassifier model = versions.get(result.modelVersion());
        if (model == null) {
            return result.id() + " names version " + result.modelVersion() + ", never announced";
        }
        if (keyVersionBefore != null && result.modelVersion() < keyVersionBefore) {
            return result.id()
                    + " on version "
                    + result.modelVersion()
                    + " after an earlier sequence of its key on "
                    + keyVersionBefore;
        }
        float[][] steps = patterns.get(sequence.pattern()).features();
        float[] expected =
                replayed.computeIfAbsent(
                        result.modelVersion() + "/" + sequence.pattern(),
                        k -> model.classifyFeatures(steps));
        if (!result.trigger().equals("end") || result.steps() != steps.length) {
            return result.id()
                    + " trigger "
                    + result.trigger()
                    + " after "
                    + result.steps()
                    + " steps, expected end after "
                    + steps.length;
        }
        String label = model.spec().labels().get(SequenceClassifier.argMax(expected));
        if (!result.label().equals(label)) {
            return result.id() + " label " + result.label() + ", offline " + label;
        }
        for (int c = 0; c < expected.length; c++) {
            if (Math.abs(result.probabilities()[c] - expected[c]) > TOLERANCE) {
                return result.id()
                        + " class "
                        + c
                        + " probability "
                        + result.probabilities()[c]
                        + ", offline "
                        + expected[c];
            }
        }
        return null;
    }

    /**
     * The sequences of {@code sent} in progress when a fault struck at {@code atMillis} (begun
     * before it and ended after it, so their results need state that crossed the fault), and how
     * many of them were lost, duplicated or mismatched.
     */
    static Map<String, Integer> inProgressAt(
            List<SoakLoad.Sent> sent, Counts counts, long atMillis) {
        Map<String, Integer> result = new LinkedHashMap<>();
        result.put("sequencesInProgress", 0);
        result.put("lost", 0);
        result.put("duplicated", 0);
        result.put("mismatched", 0);
        for (SoakLoad.Sent sequence : sent) {
            if (sequence.firstSentMillis() < atMillis && sequence.lastSentMillis() > atMillis) {
                result.merge("sequencesInProgress", 1, Integer::sum);
                String fault = counts.faultBySequence().get(sequence.resultId());
                if (fault != null) {
                    result.merge(fault, 1, Integer::sum);
                }
            }
        }
        return result;
    }

    private static void note(List<String> examples, String problem) {
        if (examples.size() < 20) {
            examples.add(problem);
        }
    }
}
