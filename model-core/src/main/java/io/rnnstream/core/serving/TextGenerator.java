package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.util.List;

/**
 * Generates text from a character-level language model on the serving step: the model's classes are
 * the characters, its input the one-hot vector of the previous character. {@link #generate} primes
 * the state with a text, then samples one character at a time, each fed back as the next input.
 */
public final class TextGenerator {

    private final SequenceClassifier model;
    private final List<String> symbols;

    /**
     * @param model a model whose classes are single characters and whose input is their one-hot
     *     vectors, in the same order
     */
    public TextGenerator(SequenceClassifier model) {
        ModelSpec spec = model.spec();
        if (spec.inputKind() != InputKind.FEATURES || spec.inputSize() != spec.numClasses()) {
            throw new IllegalArgumentException(
                    "a character model takes one-hot vectors of its "
                            + spec.numClasses()
                            + " characters; this model takes "
                            + spec.inputKind().name().toLowerCase(java.util.Locale.ROOT)
                            + " of size "
                            + spec.inputSize());
        }
        for (String symbol : spec.labels()) {
            if (symbol.length() != 1) {
                throw new IllegalArgumentException(
                        "a character model's classes are single characters, found \""
                                + symbol
                                + "\"");
            }
        }
        this.model = model;
        this.symbols = spec.labels();
    }

    /**
     * The {@code length} characters that follow {@code prime}, drawn by {@code sampler}.
     *
     * @throws IllegalArgumentException if the prime holds a character the model does not know
     */
    public String generate(String prime, int length, TokenSampler sampler) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        Stepper stepper = model.newStepper();
        RecurrentState state = model.initialState();
        for (int i = 0; i < prime.length(); i++) {
            int id = symbols.indexOf(String.valueOf(prime.charAt(i)));
            if (id < 0) {
                throw new IllegalArgumentException(
                        "the prime's character "
                                + i
                                + " ('"
                                + prime.charAt(i)
                                + "') is not in the model's alphabet of "
                                + symbols.size());
            }
            stepper.advance(state, oneHot(id));
        }
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int next = sampler.next(stepper.probabilities(state));
            out.append(symbols.get(next));
            stepper.advance(state, oneHot(next));
        }
        return out.toString();
    }

    private float[] oneHot(int id) {
        float[] vector = new float[symbols.size()];
        vector[id] = 1f;
        return vector;
    }
}
