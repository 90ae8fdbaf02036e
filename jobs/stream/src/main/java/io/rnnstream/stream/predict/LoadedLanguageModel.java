package io.rnnstream.stream.predict;

import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.stream.model.ModelAnnouncement;

/** A verified language-model version with this subtask's stepper and generator. */
record LoadedLanguageModel(
        ModelAnnouncement announcement,
        LanguageModel model,
        Stepper stepper,
        TextGenerator generator) {

    static LoadedLanguageModel of(ModelAnnouncement announcement, LanguageModel model) {
        return new LoadedLanguageModel(
                announcement, model, model.newStepper(), new TextGenerator(model));
    }
}
