package io.rnnstream.stream.classify;

/**
 * A classification of one sequence, written to the results topic as JSON with Kafka key = entity
 * key.
 *
 * @param key entity key
 * @param sequenceId the sequence id from the events, or null
 * @param label the most probable label
 * @param labels every label, in the model's order
 * @param probabilities probability per label, same order
 * @param steps steps the sequence took (tokens count one step each)
 * @param firstTimestamp event time of the sequence's first event
 * @param lastTimestamp event time of its last event
 * @param trigger why it was emitted
 * @param model model name
 * @param modelVersion the model version the sequence started on
 */
public record Classification(
        String key,
        String sequenceId,
        String label,
        String[] labels,
        float[] probabilities,
        int steps,
        long firstTimestamp,
        long lastTimestamp,
        Trigger trigger,
        String model,
        long modelVersion) {}
