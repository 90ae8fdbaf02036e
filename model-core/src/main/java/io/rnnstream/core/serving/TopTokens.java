package io.rnnstream.core.serving;

import java.util.ArrayList;
import java.util.List;

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
        int keep = Math.min(k, probabilities.length);
        // Insertion into a short sorted array: one pass, no object per symbol, since k is small
        // next to the vocabulary.
        int[] ids = new int[keep];
        float[] best = new float[keep];
        int size = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float p = probabilities[i];
            if (size == keep && !(p > best[keep - 1])) {
                continue;
            }
            int at = size == keep ? keep - 1 : size++;
            while (at > 0 && p > best[at - 1]) {
                best[at] = best[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            best[at] = p;
            ids[at] = i;
        }
        List<Candidate> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new Candidate(ids[i], best[i]));
        }
        return out;
    }
}
