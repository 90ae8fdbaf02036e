package io.rnnstream.stream.classify;

/**
 * Flink keyed state of one entity's open sequence. A POJO with public fields so Flink's POJO
 * serializer handles it and state schema evolution (added or removed fields) works across releases.
 */
public class SequenceState {

    /** Entity key, kept for emitting from timers. */
    public String key;

    /** Sequence id from the events, or null. */
    public String sequenceId;

    /** Name of the model serving this sequence. */
    public String modelName;

    /** Version the sequence started on; it finishes on the same version. */
    public long modelVersion;

    /** Every layer's h (and c for LSTM), as laid out by the model's RecurrentState. */
    public float[] hidden;

    /** Steps taken so far. */
    public int steps;

    /** Event time of the first and the last applied event. */
    public long firstTimestamp;

    public long lastTimestamp;

    /** Event time at which the inactivity-gap timer fires, or {@link Long#MIN_VALUE} if none. */
    public long gapDeadline = Long.MIN_VALUE;

    public SequenceState() {}
}
