package io.rnnstream.stream.model;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.io.IOException;
import java.io.Serializable;

/**
 * Loads and verifies the artifact of an announced model version through Flink's FileSystem. The
 * artifact's manifest must hash to the announced digest and name the announced model and version.
 */
public class ModelLoader implements Serializable {

    private static final long serialVersionUID = 1L;

    public ModelArtifact load(ModelAnnouncement announcement) throws IOException {
        ModelArtifact artifact =
                ModelArtifact.load(
                        new FlinkFileSystemSource(announcement.uri()), announcement.sha256());
        if (!artifact.manifest().name().equals(announcement.name())
                || artifact.manifest().version() != announcement.version()) {
            throw new ArtifactException(
                    announcement.uri()
                            + " holds model "
                            + artifact.manifest().name()
                            + " version "
                            + artifact.manifest().version()
                            + ", not the announced "
                            + announcement.name()
                            + " version "
                            + announcement.version());
        }
        return artifact;
    }

    /**
     * Refuses a new version that does not take the same input as the one in service: a different
     * input kind or feature dimension would send every event of the stream to the dead-letter
     * topic.
     */
    public static void checkFits(ModelSpec inService, ModelSpec candidate)
            throws ArtifactException {
        if (inService.inputKind() != candidate.inputKind()) {
            throw new ArtifactException(
                    "the new version takes "
                            + candidate.inputKind()
                            + " input, the version in service takes "
                            + inService.inputKind());
        }
        if (candidate.inputKind() == InputKind.FEATURES
                && candidate.inputSize() != inService.inputSize()) {
            throw new ArtifactException(
                    "the new version takes "
                            + candidate.inputSize()
                            + " features per event, the version in service takes "
                            + inService.inputSize());
        }
    }
}
