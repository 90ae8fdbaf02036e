package io.rnnstream.stream.classify;

import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.BatchStepper;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.registry.KernelWarmUp;

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

    /**
     * Reads and verifies the version's artifact, builds its classifier and warms the serving
     * kernels up: everything before its first event, which the registry runs off the task thread.
     */
    static LoadedModel load(ModelLoader loader, ModelAnnouncement announcement) throws Exception {
        String described = ModelVersions.describe(announcement);
        LoadedModel model =
                of(announcement, loader.load(announcement).requireClassifier(described));
        KernelWarmUp.warmUp(described, model.classifier());
        return model;
    }

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
