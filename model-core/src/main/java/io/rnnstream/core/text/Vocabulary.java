package io.rnnstream.core.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token-to-id mapping built from training data. Id 0 is {@link #UNKNOWN}: every word not seen in
 * training maps there, so an unknown word is never an error at serving time.
 */
public final class Vocabulary {

    public static final String UNKNOWN = "<unk>";
    public static final int UNKNOWN_ID = 0;

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    /**
     * @param tokens the tokens in id order; the first must be {@link #UNKNOWN}
     */
    public Vocabulary(List<String> tokens) {
        if (tokens.isEmpty() || !UNKNOWN.equals(tokens.get(0))) {
            throw new IllegalArgumentException("vocabulary must start with " + UNKNOWN);
        }
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.isEmpty() || token.indexOf('\n') >= 0 || token.indexOf('\r') >= 0) {
                throw new IllegalArgumentException(
                        "vocabulary entry " + i + " is empty or contains a line break");
            }
            if (ids.put(token, i) != null) {
                throw new IllegalArgumentException(
                        "vocabulary entry " + i + " repeats the token '" + token + "'");
            }
        }
    }

    /**
     * Builds a vocabulary of the tokens seen at least {@code minCount} times, most frequent first
     * (ties in lexicographic order, so the result is deterministic), capped at {@code maxSize}
     * entries including {@link #UNKNOWN}.
     */
    public static Vocabulary build(Iterable<List<String>> sequences, int minCount, int maxSize) {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> sequence : sequences) {
            for (String token : sequence) {
                counts.merge(token, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minCount || e.getKey().equals(UNKNOWN));
        entries.sort(
                Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .reversed()
                        .thenComparing(Map.Entry::getKey));
        List<String> tokens = new ArrayList<>();
        tokens.add(UNKNOWN);
        for (Map.Entry<String, Integer> entry : entries) {
            if (tokens.size() >= maxSize) {
                break;
            }
            tokens.add(entry.getKey());
        }
        return new Vocabulary(tokens);
    }

    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? UNKNOWN_ID : id;
    }

    public int size() {
        return tokens.size();
    }

    public List<String> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    public int[] encode(List<String> sequence) {
        int[] encoded = new int[sequence.size()];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = id(sequence.get(i));
        }
        return encoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary other && tokens.equals(other.tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }
}
