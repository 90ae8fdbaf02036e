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
 */
public record Event(
        String key,
        String model,
        long timestamp,
        String sequenceId,
        float[] features,
        String[] tokens,
        boolean end,
        RawRecord origin) {}
