package io.rnnstream.stream.event;

/**
 * One parsed event of one entity: a step of a sequence. Exactly one of {@code features} and {@code
 * tokens} is non-null; a text event carries all of its tokens and advances the sequence by one step
 * per token.
 *
 * @param key entity key
 * @param model name of the model that classifies this key's sequences
 * @param timestamp event time, epoch milliseconds
 * @param sequenceId optional sequence id; a new value for a key ends its current sequence
 * @param features a dense feature vector, or null
 * @param tokens tokens, or null
 * @param end whether this event ends its sequence
 * @param origin where the event came from, with its original bytes
 * @param text the {@code text} field as sent, for character language models; null for other events
 * @param continuation symbols a language model is asked to generate after this event ({@code
 *     continue}); 0 for none
 */
public record Event(
        String key,
        String model,
        long timestamp,
        String sequenceId,
        float[] features,
        String[] tokens,
        boolean end,
        RawRecord origin,
        String text,
        int continuation) {

    /** An event without raw text or continuation request: what classifiers read. */
    public Event(
            String key,
            String model,
            long timestamp,
            String sequenceId,
            float[] features,
            String[] tokens,
            boolean end,
            RawRecord origin) {
        this(key, model, timestamp, sequenceId, features, tokens, end, origin, null, 0);
    }

    /** This event for another model, e.g. a language model fed by a classifier's events. */
    public Event forModel(String otherModel) {
        return new Event(
                key,
                otherModel,
                timestamp,
                sequenceId,
                features,
                tokens,
                end,
                origin,
                text,
                continuation);
    }
}
