package io.rnnstream.core.serving;

/**
 * Generates text from a {@link LanguageModel} on the serving step: {@link #generate} primes the
 * state with a text, then samples one symbol at a time, each fed back as the next input. {@link
 * #continueFrom} does the same from a state already primed elsewhere (a key's state in the stream),
 * leaving that state as it was.
 */
public final class TextGenerator {

    /** The longest continuation one call produces; bounds the work a single request can cause. */
    public static final int MAX_LENGTH = 100_000;

    private final LanguageModel model;

    public TextGenerator(LanguageModel model) {
        this.model = model;
    }

    /**
     * The {@code length} symbols that follow {@code prime}, drawn by {@code sampler}, as text.
     *
     * @throws IllegalArgumentException if the prime holds a character the model does not know
     */
    public String generate(String prime, int length, TokenSampler sampler) {
        checkLength(length);
        Stepper stepper = model.newStepper();
        RecurrentState state = model.initialState();
        for (int id : model.encode(prime, "the prime")) {
            model.advance(stepper, state, id);
        }
        return text(continueFrom(stepper, state, length, sampler));
    }

    /**
     * The ids of the {@code length} symbols that follow {@code state}; {@code state} is not
     * changed.
     */
    public int[] continueFrom(
            Stepper stepper, RecurrentState state, int length, TokenSampler sampler) {
        checkLength(length);
        RecurrentState running = state.copy();
        int[] out = new int[length];
        float[] probabilities = new float[model.size()];
        for (int i = 0; i < length; i++) {
            stepper.probabilities(running, probabilities);
            out[i] = sampler.next(probabilities);
            model.advance(stepper, running, out[i]);
        }
        return out;
    }

    /** The symbols of {@code ids} joined as the model's unit is written. */
    public String text(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                out.append(model.separator());
            }
            out.append(model.symbols().get(ids[i]));
        }
        return out.toString();
    }

    private static void checkLength(int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "length must be in [0, " + MAX_LENGTH + "], got " + length);
        }
    }
}
