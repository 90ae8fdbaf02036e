package io.rnnstream.stream.classify;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.Event;

/** Whether an event's input fits a model version: its kind, and for features their dimension. */
final class InputFit {

    private InputFit() {}

    /** The dead-letter reason of an event that does not fit {@code spec}. */
    static DeadLetterReason reason(ModelSpec spec, Event event) {
        return spec.inputKind() == InputKind.FEATURES && event.features() != null
                ? DeadLetterReason.WRONG_DIMENSION
                : DeadLetterReason.WRONG_INPUT_KIND;
    }

    /** What about {@code event} does not fit {@code spec}, or null if it fits. */
    static String problem(ModelSpec spec, Event event) {
        if (spec.inputKind() == InputKind.FEATURES) {
            if (event.features() == null) {
                return "model takes feature vectors of dimension "
                        + spec.inputSize()
                        + ", the event carries text";
            }
            if (event.features().length != spec.inputSize()) {
                return "field features has "
                        + event.features().length
                        + " values, the model expects "
                        + spec.inputSize();
            }
            return null;
        }
        return event.tokens() == null
                ? "model takes text or tokens, the event carries features"
                : null;
    }
}
