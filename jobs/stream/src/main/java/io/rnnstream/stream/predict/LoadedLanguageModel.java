package io.rnnstream.stream.predict;

import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.registry.KernelWarmUp;

/** A verified language-model version with this subtask's stepper and generator. */
record LoadedLanguageModel(
        ModelAnnouncement announcement,
        LanguageModel model,
        Stepper stepper,
        TextGenerator generator) {

    /**
     * Reads and verifies the version's artifact, checks that it is a language model and warms its
     * network's serving kernels up: everything before its first event, which the registry runs off
     * the task thread.
     */
    static LoadedLanguageModel load(ModelLoader loader, ModelAnnouncement announcement)
            throws Exception {
        String described = LanguageModelVersions.describe(announcement);
        LanguageModel model = loader.load(announcement).requireLanguageModel(described);
        KernelWarmUp.warmUp(described, model.network());
        return of(announcement, model);
    }

    static LoadedLanguageModel of(ModelAnnouncement announcement, LanguageModel model) {
        return new LoadedLanguageModel(
                announcement, model, model.newStepper(), new TextGenerator(model));
    }
}
