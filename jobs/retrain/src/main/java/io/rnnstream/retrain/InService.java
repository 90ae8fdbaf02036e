package io.rnnstream.retrain;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.stream.model.ModelAnnouncement;

/**
 * The version the stream serves, verified: what a candidate is compared with and warm-started from.
 * Only a classifier can be one; a language model announced under the model's name is refused.
 */
record InService(ModelAnnouncement announcement, ModelArtifact artifact) {

    InService {
        try {
            artifact.requireClassifier(announcement.uri());
        } catch (ArtifactException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    SequenceClassifier classifier() {
        return artifact.classifier();
    }
}
