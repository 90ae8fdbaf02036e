package io.rnnstream.retrain;

import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.stream.model.FlinkFileSystemSource;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Puts an existing model artifact (the first model of a deployment) into the model store and
 * announces it, the way a retraining run publishes a version: verified first, copied through a
 * staging directory, announced only when complete.
 *
 * <p>Safe to run again (the Helm chart runs it before every install and upgrade): a version already
 * in the store with the same manifest digest is kept, and nothing is announced when the model topic
 * already announces this model at this version or a newer one, so a retrained version in service is
 * never replaced by the first one.
 */
public final class ModelPublisher {

    /** What one run did. */
    public enum Outcome {
        /** Copied into the store and announced. */
        PUBLISHED,
        /** Already in the store (same digest), now announced. */
        ANNOUNCED,
        /** Already in the store, and the topic announces this version or a newer one. */
        UNCHANGED
    }

    /**
     * @param outcome what was done
     * @param name the model's name (from its manifest)
     * @param version the version published (from its manifest)
     * @param uri where the version lives in the store
     * @param announcedVersion the newest version the topic announced before this run, or 0
     */
    public record Result(
            Outcome outcome, String name, long version, String uri, long announcedVersion) {}

    private final String store;
    private final ModelTopic topic;

    /**
     * @param store the model store (a directory or Flink FileSystem URI)
     * @param bootstrapServers Kafka bootstrap servers
     * @param modelsTopic the topic the streaming job reads announcements from
     * @param kafkaProperties further Kafka client settings (security, config providers)
     */
    public ModelPublisher(
            String store,
            String bootstrapServers,
            String modelsTopic,
            Map<String, String> kafkaProperties) {
        this.store = store;
        this.topic = new ModelTopic(bootstrapServers, modelsTopic, kafkaProperties);
    }

    /**
     * Publishes the artifact read from {@code source}.
     *
     * @param expectedName the model name the artifact must have, or null for any
     */
    public Result publish(ArtifactSource source, String expectedName)
            throws IOException, InterruptedException {
        ModelArtifact artifact = ModelArtifact.load(source, null);
        String name = artifact.manifest().name();
        long version = artifact.manifest().version();
        if (expectedName != null && !expectedName.equals(name)) {
            throw new RetrainException(
                    source.location()
                            + " is model '"
                            + name
                            + "', not '"
                            + expectedName
                            + "' (the name the stream job serves); publish the right artifact or"
                            + " change the expected name");
        }
        if (version < 1) {
            throw new RetrainException(
                    source.location() + ": version " + version + " cannot be published");
        }
        ModelStore models = new ModelStore(store, name, (stage, detail) -> {});
        String uri = models.versionUri(version);
        boolean copied;
        if (models.holds(version)) {
            ModelArtifact existing = ModelArtifact.load(new FlinkFileSystemSource(uri), null);
            if (!existing.manifestSha256().equals(artifact.manifestSha256())) {
                throw new RetrainException(
                        "the model store already holds a different "
                                + name
                                + " version "
                                + version
                                + " at "
                                + uri
                                + " (manifest SHA-256 "
                                + existing.manifestSha256()
                                + ", this one "
                                + artifact.manifestSha256()
                                + "); versions are immutable");
            }
            copied = false;
        } else {
            Path local = Files.createTempDirectory("rnnstream-publish");
            try {
                copyVerified(source, artifact, local);
                models.removeAbandonedStaging();
                uri = models.publish(local, version);
            } finally {
                deleteRecursively(local);
            }
            copied = true;
        }
        List<ModelAnnouncement> announced = topic.announcements(name);
        long newest = announced.isEmpty() ? 0 : announced.get(0).version();
        if (newest >= version) {
            return new Result(
                    copied ? Outcome.PUBLISHED : Outcome.UNCHANGED, name, version, uri, newest);
        }
        // A version published by hand (the chart's first model) serves at once.
        topic.announce(
                RoleAnnouncement.serving(
                        new ModelAnnouncement(name, version, uri, artifact.manifestSha256())));
        return new Result(
                copied ? Outcome.PUBLISHED : Outcome.ANNOUNCED, name, version, uri, newest);
    }

    /** Writes the artifact's files, each checked against the verified manifest, to {@code dir}. */
    private static void copyVerified(ArtifactSource source, ModelArtifact artifact, Path dir)
            throws IOException {
        byte[] manifest = source.read(ModelArtifact.MANIFEST, Integer.MAX_VALUE);
        if (!io.rnnstream.core.artifact.Sha256.hex(manifest).equals(artifact.manifestSha256())) {
            throw new RetrainException(
                    source.location() + ": manifest.json changed while it was being copied");
        }
        Files.write(dir.resolve(ModelArtifact.MANIFEST), manifest);
        Files.writeString(
                dir.resolve(ModelArtifact.MANIFEST_DIGEST),
                artifact.manifestSha256() + "\n",
                StandardCharsets.US_ASCII);
        for (String file : artifact.manifest().files().keySet()) {
            Files.write(dir.resolve(file), artifact.readVerified(source, file));
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
