package io.rnnstream.core.serving;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.text.Vocabulary;
import java.util.Arrays;
import java.util.List;

/**
 * A next-token language model on the serving step: its classes are its symbols (characters, or the
 * word tokens of {@link Tokenizer}), in the order of its input ids, and every step yields the
 * distribution of the symbol that follows. Character models take the one-hot vector of the previous
 * character; word models embed the previous token's id. Thread-safe; steppers are not (one per
 * thread, see {@link #newStepper()}).
 */
public final class LanguageModel {

    /** What one symbol of the model is. */
    public enum Unit {
        CHARACTER,
        WORD
    }

    private final SequenceClassifier network;
    private final Unit unit;
    private final Alphabet alphabet;
    private final Vocabulary vocabulary;

    /**
     * @param network a network whose classes are its input symbols: a character model takes one-hot
     *     input with an identity normalizer, a word model token input whose vocabulary lists the
     *     classes in the same order
     * @throws IllegalArgumentException saying how the network does not fit
     */
    public LanguageModel(SequenceClassifier network) {
        this.network = network;
        ModelSpec spec = network.spec();
        if (spec.inputSize() != spec.numClasses()) {
            throw new IllegalArgumentException(
                    "a language model predicts its own input symbols: it has "
                            + spec.inputSize()
                            + " inputs but "
                            + spec.numClasses()
                            + " classes");
        }
        if (spec.inputKind() == InputKind.FEATURES) {
            this.unit = Unit.CHARACTER;
            this.alphabet = new Alphabet(spec.labels());
            this.vocabulary = null;
            FeatureNormalizer normalizer = network.normalizer();
            for (int i = 0; i < spec.inputSize(); i++) {
                if (normalizer.mean()[i] != 0f || normalizer.std()[i] != 1f) {
                    throw new IllegalArgumentException(
                            "a character model's one-hot input is not normalized, but the"
                                    + " normalizer of input "
                                    + i
                                    + " is not the identity");
                }
            }
        } else {
            this.unit = Unit.WORD;
            this.alphabet = null;
            this.vocabulary = network.vocabulary();
            if (!vocabulary.tokens().equals(spec.labels())) {
                throw new IllegalArgumentException(
                        "a word model's classes must be its vocabulary, in the same order");
            }
        }
    }

    /** The identity normalizer a character model of {@code symbols} symbols is stored with. */
    public static FeatureNormalizer oneHotNormalizer(int symbols) {
        float[] ones = new float[symbols];
        Arrays.fill(ones, 1f);
        return new FeatureNormalizer(new float[symbols], ones);
    }

    public Unit unit() {
        return unit;
    }

    public ModelSpec spec() {
        return network.spec();
    }

    /** The underlying network, for its state size and the parity of the serving kernels. */
    public SequenceClassifier network() {
        return network;
    }

    /** The symbols, in id order. */
    public List<String> symbols() {
        return network.spec().labels();
    }

    public int size() {
        return network.spec().numClasses();
    }

    /**
     * The ids of {@code text}: its characters for a character model (an unknown character is an
     * error), its word tokens for a word model (an unknown word is {@link Vocabulary#UNKNOWN}).
     *
     * @param what names the text in errors
     */
    public int[] encode(String text, String what) {
        if (unit == Unit.CHARACTER) {
            return alphabet.encode(text, what);
        }
        return vocabulary.encode(Tokenizer.tokenize(text));
    }

    /**
     * The ids of word tokens already split by {@link Tokenizer} (an unknown word is {@link
     * Vocabulary#UNKNOWN}).
     *
     * @throws IllegalArgumentException for a character model
     */
    public int[] encodeWords(List<String> words) {
        if (unit != Unit.WORD) {
            throw new IllegalArgumentException("a character model reads text, not word tokens");
        }
        return vocabulary.encode(words);
    }

    /**
     * How generated symbols are joined into text: nothing between characters, a space between
     * words.
     */
    public String separator() {
        return unit == Unit.CHARACTER ? "" : " ";
    }

    public RecurrentState initialState() {
        return network.initialState();
    }

    public Stepper newStepper() {
        return network.newStepper();
    }

    /** Advances {@code state} by the symbol {@code id}. */
    public void advance(Stepper stepper, RecurrentState state, int id) {
        if (id < 0 || id >= size()) {
            throw new IllegalArgumentException(
                    "symbol id " + id + " is outside the model's " + size() + " symbols");
        }
        if (unit == Unit.CHARACTER) {
            float[] oneHot = new float[size()];
            oneHot[id] = 1f;
            stepper.advance(state, oneHot);
        } else {
            stepper.advanceToken(state, id);
        }
    }

    /**
     * The surprise of seeing {@code id} where the model expected {@code probabilities}: its
     * negative natural log-likelihood, in nats.
     */
    public static double surprise(float[] probabilities, int id) {
        return -Math.log(Math.max(probabilities[id], Float.MIN_VALUE));
    }

    /**
     * The surprise of seeing {@code id} at {@code state}, in nats, from the log-normalizer that
     * {@link Stepper#probabilities} returned for this state: one logit instead of a softmax over
     * the vocabulary.
     */
    public static double surprise(
            Stepper stepper, RecurrentState state, double logNormalizer, int id) {
        return logNormalizer - stepper.logit(state, id);
    }
}
