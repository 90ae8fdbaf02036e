package io.rnnstream.retrain;

import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.model.Objective;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.model.FlinkFileSystemSource;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a candidate is compared with: the version the stream serves, or why there is none. A run
 * without one publishes nothing unless it is declared the model's first version, so an unreadable
 * artifact on the model topic cannot turn a run into an unchecked publication.
 *
 * @param service the version in service, null if none could be read
 * @param refused announcements that did not load, each with its error
 * @param missing why there is no version in service (null when there is one)
 */
record Baseline(InService service, List<String> refused, String missing) {

    /**
     * The version the stream serves: the newest announced version that loads and verifies (the
     * stream refuses the others and keeps the previous one), else {@code model.initial.uri}.
     *
     * @param announced the model's announcements, highest version first
     */
    static Baseline find(RetrainConfig config, List<ModelAnnouncement> announced) {
        List<String> refused = new ArrayList<>();
        for (ModelAnnouncement announcement : announced) {
            try {
                return new Baseline(
                        new InService(announcement, new ModelLoader().load(announcement)),
                        refused,
                        null);
            } catch (IOException | RuntimeException e) {
                // An artifact is untrusted input: whatever stops it from loading makes it
                // unusable as a baseline, as it is for the stream.
                refused.add(announcement.id() + " at " + announcement.uri() + ": " + e);
            }
        }
        String uri = config.initialModelUri();
        if (uri == null) {
            return new Baseline(
                    null,
                    refused,
                    (refused.isEmpty()
                                    ? "no version of "
                                            + config.modelName()
                                            + " is announced on topic "
                                            + config.modelsTopic()
                                    : "no announced version of "
                                            + config.modelName()
                                            + " could be read ("
                                            + String.join("; ", refused)
                                            + ")")
                            + " and model.initial.uri is not set: nothing to compare the"
                            + " candidate with. A first version needs gate.first-version=true"
                            + " (rnnstream retrain --first-version).");
        }
        ModelArtifact initial;
        try {
            initial = ModelArtifact.load(new FlinkFileSystemSource(uri), null);
        } catch (IOException | RuntimeException e) {
            return new Baseline(
                    null,
                    refused,
                    "model.initial.uri "
                            + uri
                            + " cannot be read ("
                            + e
                            + ")"
                            + (refused.isEmpty()
                                    ? ""
                                    : " and no announced version could be read ("
                                            + String.join("; ", refused)
                                            + ")")
                            + ": nothing to compare the candidate with.");
        }
        if (!initial.manifest().name().equals(config.modelName())) {
            throw new ConfigException(
                    "model.initial.uri holds model '"
                            + initial.manifest().name()
                            + "', not model.name '"
                            + config.modelName()
                            + "'");
        }
        if (initial.objective() != Objective.CLASSIFICATION) {
            throw new ConfigException(
                    "model.initial.uri holds a "
                            + initial.objective().wireName()
                            + " language model; retraining compares and warm-starts classifiers");
        }
        return new Baseline(
                new InService(
                        new ModelAnnouncement(
                                initial.manifest().name(),
                                initial.manifest().version(),
                                uri,
                                initial.manifestSha256()),
                        initial),
                refused,
                null);
    }

    /**
     * Refuses {@code gate.first-version} when any version of the model exists: a flag left on must
     * not become a way past the comparison.
     */
    static void checkFirstVersion(
            RetrainConfig config, List<ModelAnnouncement> announced, long highestInStore) {
        String existing = null;
        if (!announced.isEmpty()) {
            existing =
                    "version "
                            + announced.get(0).version()
                            + " is announced on topic "
                            + config.modelsTopic();
        } else if (highestInStore > 0) {
            existing = "the model store holds version " + highestInStore;
        }
        if (existing != null) {
            throw new ConfigException(
                    "gate.first-version: "
                            + config.modelName()
                            + " is not new: "
                            + existing
                            + ". Later versions are compared with the one in service; remove"
                            + " gate.first-version.");
        }
    }
}
