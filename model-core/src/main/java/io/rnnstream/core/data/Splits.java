package io.rnnstream.core.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic, stratified train / hold-out splits. */
public final class Splits {

    /** The two parts of a split. */
    public record Split(Dataset train, Dataset holdout) {}

    private Splits() {}

    /**
     * Moves {@code round(fraction * n_c)} sequences of every class {@code c} (at least one when the
     * class has two or more) into the hold-out part, chosen by a shuffle seeded with {@code seed}.
     * The same data, fraction and seed always give the same split.
     */
    public static Split stratified(Dataset dataset, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException(
                    "hold-out fraction must be in (0, 1), was " + fraction);
        }
        Map<String, List<LabeledSequence>> byLabel = new LinkedHashMap<>();
        for (String label : dataset.labels()) {
            byLabel.put(label, new ArrayList<>());
        }
        for (LabeledSequence sequence : dataset.sequences()) {
            byLabel.get(sequence.label()).add(sequence);
        }
        Random random = new Random(seed);
        List<LabeledSequence> train = new ArrayList<>();
        List<LabeledSequence> holdout = new ArrayList<>();
        for (List<LabeledSequence> members : byLabel.values()) {
            Collections.shuffle(members, random);
            int take = (int) Math.round(fraction * members.size());
            if (take == 0 && members.size() >= 2) {
                take = 1;
            }
            holdout.addAll(members.subList(0, take));
            train.addAll(members.subList(take, members.size()));
        }
        Collections.shuffle(train, random);
        Collections.shuffle(holdout, random);
        return new Split(
                dataset.withSequences(dataset.name() + " (train part)", train),
                dataset.withSequences(dataset.name() + " (hold-out part)", holdout));
    }
}
