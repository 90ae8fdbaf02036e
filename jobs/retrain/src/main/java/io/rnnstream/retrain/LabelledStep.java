package io.rnnstream.retrain;

/**
 * One parsed event of the labelled topic, with where it was read.
 *
 * @param key entity key
 * @param sequenceId optional sequence id
 * @param timestamp event time, epoch milliseconds
 * @param partition Kafka partition
 * @param offset Kafka offset
 * @param features a dense feature vector, or null
 * @param tokens tokens, or null
 * @param end whether the event ends its sequence
 * @param label the sequence's label on its last event, else null
 */
public record LabelledStep(
        String key,
        String sequenceId,
        long timestamp,
        int partition,
        long offset,
        float[] features,
        String[] tokens,
        boolean end,
        String label) {

    /** E.g. {@code partition 0 offset 42}, for reports. */
    public String where() {
        return "partition " + partition + " offset " + offset;
    }
}
