package io.rnnstream.core.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** The most likely next symbols of a distribution, most likely first. */
public final class TopTokens {

    /** One candidate: its id and probability. */
    public record Candidate(int id, float probability) {}

    private TopTokens() {}

    /**
     * The {@code k} most likely ids of {@code probabilities}, most likely first; ties go to the
     * smaller id, so the order is deterministic.
     */
    public static List<Candidate> of(float[] probabilities, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        PriorityQueue<Candidate> kept =
                new PriorityQueue<>(
                        (a, b) ->
                                a.probability() != b.probability()
                                        ? Float.compare(a.probability(), b.probability())
                                        : Integer.compare(b.id(), a.id()));
        for (int i = 0; i < probabilities.length; i++) {
            kept.add(new Candidate(i, probabilities[i]));
            if (kept.size() > k) {
                kept.poll();
            }
        }
        List<Candidate> out = new ArrayList<>(kept);
        out.sort(
                (a, b) ->
                        a.probability() != b.probability()
                                ? Float.compare(b.probability(), a.probability())
                                : Integer.compare(a.id(), b.id()));
        return out;
    }
}
