package io.rnnstream.stream.classify;

import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.model.ModelAnnouncement;

/** A verified model version in one subtask, with that subtask's stepper and scratch buffers. */
record LoadedModel(
        ModelAnnouncement announcement,
        SequenceClassifier classifier,
        Stepper stepper,
        float[] probabilities) {

    static LoadedModel of(ModelAnnouncement announcement, SequenceClassifier classifier) {
        return new LoadedModel(
                announcement,
                classifier,
                classifier.newStepper(),
                new float[classifier.spec().numClasses()]);
    }

    ModelSpec spec() {
        return classifier.spec();
    }
}
