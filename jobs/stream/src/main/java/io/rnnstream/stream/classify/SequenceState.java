package io.rnnstream.stream.classify;

/**
 * Flink keyed state of one entity's open sequence, written by {@link SequenceStateSerializer}.
 *
 * <p>The entity key and the model name are not stored here: both are part of the state key (see
 * {@link StateKey}), which Flink already keeps once per key.
 */
public class SequenceState {

    /** Sequence id from the events, or null. */
    public String sequenceId;

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
