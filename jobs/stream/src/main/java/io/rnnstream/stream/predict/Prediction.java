package io.rnnstream.stream.predict;

/**
 * What a language model says about one event of a key, written to the predictions topic with Kafka
 * key = entity key.
 *
 * @param key entity key
 * @param sequenceId the sequence id from the events, or null
 * @param model language model name
 * @param modelVersion the version the key's sequence runs on
 * @param timestamp the event's time
 * @param position symbols the key's sequence has read, this event's included
 * @param symbols symbols this event held
 * @param surprise negative natural log-likelihood of this event's symbols given the key's history
 * @param next the most likely next symbols, most likely first
 * @param nextProbabilities their probabilities
 * @param continuation generated text when the event asked for it, else null
 */
public record Prediction(
        String key,
        String sequenceId,
        String model,
        long modelVersion,
        long timestamp,
        int position,
        int symbols,
        double surprise,
        String[] next,
        float[] nextProbabilities,
        String continuation) {}
