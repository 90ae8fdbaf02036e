package io.rnnstream.retrain;

import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.stream.model.ModelAnnouncement;

/**
 * The version the stream serves, verified: what a candidate is compared with and warm-started from.
 */
record InService(ModelAnnouncement announcement, ModelArtifact artifact) {
    SequenceClassifier classifier() {
        return artifact.classifier();
    }
}
