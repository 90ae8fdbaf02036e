package io.rnnstream.stream.classify;

import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.BatchStepper;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.model.ModelAnnouncement;

/**
 * A verified model version in one subtask, with that subtask's steppers for one key and for many
 * keys at once ({@link StepBatch}), each with its scratch buffers, and the labels in output order,
 * so emitting a result does not rebuild them.
 */
record LoadedModel(
        ModelAnnouncement announcement,
        SequenceClassifier classifier,
        Stepper stepper,
        BatchStepper batchStepper,
        String[] labels) {

    static LoadedModel of(ModelAnnouncement announcement, SequenceClassifier classifier) {
        return new LoadedModel(
                announcement,
                classifier,
                classifier.newStepper(),
                classifier.newBatchStepper(),
                classifier.spec().labels().toArray(String[]::new));
    }

    ModelSpec spec() {
        return classifier.spec();
    }
}
