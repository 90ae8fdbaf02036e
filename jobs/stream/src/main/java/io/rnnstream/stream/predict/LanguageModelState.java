package io.rnnstream.stream.predict;

/**
 * A key's language-model state in Flink keyed state: the sequence it belongs to, the model version
 * it runs on, the recurrent state and the symbols read. A plain POJO, so that Flink's POJO
 * serializer stores it (and evolves it when fields are added) without Kryo.
 */
public class LanguageModelState {

    /** The sequence id of the events, or null. */
    public String sequenceId;

    /** The announcement id of the version, {@code name/version}. */
    public String version;

    /** The recurrent state's values, in the serving layout. */
    public float[] values;

    /** Symbols read in this sequence. */
    public int steps;

    /**
     * The log-normalizer of the next symbol's distribution at this state ({@link
     * io.rnnstream.core.serving.Stepper#probabilities}'s result) when the last event computed that
     * distribution, else NaN: with it the next event's surprise needs one logit, not a softmax over
     * the vocabulary. A state restored from before the field existed reads NaN.
     */
    public double nextLogNormalizer = Double.NaN;

    public LanguageModelState() {}

    LanguageModelState(String sequenceId, String version, float[] values) {
        this.sequenceId = sequenceId;
        this.version = version;
        this.values = values;
    }

    /**
     * A new state of the same sequence and version holding {@code recurrent}, and the
     * log-normalizer of the distribution at it (NaN if not computed).
     */
    LanguageModelState advancedTo(
            io.rnnstream.core.serving.RecurrentState recurrent, double logNormalizer) {
        LanguageModelState next = new LanguageModelState(sequenceId, version, recurrent.values());
        next.steps = recurrent.steps();
        next.nextLogNormalizer = logNormalizer;
        return next;
    }
}
