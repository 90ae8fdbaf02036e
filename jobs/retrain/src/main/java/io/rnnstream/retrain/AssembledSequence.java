package io.rnnstream.retrain;

/**
 * The outcome of assembling one sequence from the labelled topic: a usable labelled sequence, or a
 * problem that kept it (or a record) out of training.
 *
 * @param key entity key
 * @param sequenceId sequence id, or null
 * @param label the label, or null for a problem
 * @param features steps of a feature sequence, or null
 * @param tokens tokens of a text sequence, or null
 * @param problem null for a usable sequence, else a short reason code such as {@code unlabelled}
 * @param detail what exactly was wrong, for the report
 * @param where the Kafka position of the record the problem was found at
 */
public record AssembledSequence(
        String key,
        String sequenceId,
        String label,
        float[][] features,
        String[] tokens,
        String problem,
        String detail,
        String where) {

    static AssembledSequence problem(
            String key, String sequenceId, String problem, String detail, String where) {
        return new AssembledSequence(key, sequenceId, null, null, null, problem, detail, where);
    }

    /** An id unique within one run, e.g. {@code cam-7/run-12@partition 0 offset 42}. */
    public String id() {
        return key + "/" + (sequenceId == null ? "-" : sequenceId) + "@" + where;
    }
}
