package io.rnnstream.core.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * What a model was trained to predict, recorded in its manifest so that a consumer can refuse a
 * model built for the other task before it serves a single event.
 */
public enum Objective {
    /** Many-to-one: a class label per sequence, emitted when the sequence ends. */
    CLASSIFICATION("classification"),
    /**
     * Many-to-many language model: at every step, the distribution of the next symbol. The model's
     * classes are its vocabulary, in the order of its input ids.
     */
    NEXT_TOKEN("next-token");

    private final String wireName;

    Objective(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * The objective named {@code name}.
     *
     * @throws IllegalArgumentException naming the known objectives
     */
    @JsonCreator
    public static Objective fromWireName(String name) {
        return Arrays.stream(values())
                .filter(o -> o.wireName.equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown objective '"
                                                + name
                                                + "'; expected classification or next-token"));
    }
}
