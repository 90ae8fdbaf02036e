package io.rnnstream.stream.classify;

/**
 * The key of the job's keyed state: model name and entity key joined by a NUL character, so two
 * models never share an entity's hidden state. Model names cannot contain NUL (announcements with
 * control characters in the name are refused), so the first NUL separates the two parts.
 */
public final class StateKey {

    static final char SEPARATOR = '\u0000';

    private StateKey() {}

    /** The state key of an entity's sequence on a model. */
    public static String of(String model, String entity) {
        return model + SEPARATOR + entity;
    }

    /** The model name part of a state key. */
    public static String model(String stateKey) {
        return stateKey.substring(0, separator(stateKey));
    }

    /** The entity key part of a state key. */
    public static String entity(String stateKey) {
        return stateKey.substring(separator(stateKey) + 1);
    }

    private static int separator(String stateKey) {
        int at = stateKey.indexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("not a state key (no model part): " + stateKey);
        }
        return at;
    }
}
