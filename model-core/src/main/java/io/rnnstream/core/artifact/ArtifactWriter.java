package io.rnnstream.core.artifact;

import io.rnnstream.core.serving.SequenceClassifier;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes an artifact directory so that no reader ever sees half of it: every file goes into a
 * hidden sibling directory, is flushed to disk, and the directory is then renamed into place in one
 * atomic step. An existing artifact is never overwritten: versions are immutable.
 */
public final class ArtifactWriter {

    private static final List<String> EXTRA_FILES =
            List.of(ModelArtifact.NETWORK_CONFIGURATION, ModelArtifact.NETWORK_PARAMETERS);

    private ArtifactWriter() {}

    /**
     * @param target the artifact directory to create; must not exist
     * @param manifest the manifest; its {@code files} are filled in here
     * @param classifier supplies the serving weights and vocabulary
     * @param extraFiles further files to include, by name: only {@link
     *     ModelArtifact#NETWORK_CONFIGURATION} and {@link ModelArtifact#NETWORK_PARAMETERS}
     * @return the SHA-256 of the written {@code manifest.json}
     * @throws IllegalArgumentException if an extra file has another name: it would replace a file
     *     this method writes, escape the artifact directory, or make an artifact that {@link
     *     ModelArtifact#load} refuses
     */
    public static String write(
            Path target,
            Manifest manifest,
            SequenceClassifier classifier,
            Map<String, byte[]> extraFiles)
            throws IOException {
        for (String name : extraFiles.keySet()) {
            if (!EXTRA_FILES.contains(name)) {
                throw new IllegalArgumentException(
                        "extra artifact file '" + name + "' is not one of " + EXTRA_FILES);
            }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                ModelArtifact.SERVING_WEIGHTS,
                TensorFile.write(ModelArtifact.toTensors(classifier.weights())));
        if (classifier.vocabulary() != null) {
            files.put(
                    ModelArtifact.VOCABULARY,
                    (String.join("\n", classifier.vocabulary().tokens()) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        files.putAll(extraFiles);
        Map<String, String> digests = new LinkedHashMap<>();
        files.forEach((name, bytes) -> digests.put(name, Sha256.hex(bytes)));
        byte[] manifestBytes = Json.STRICT.writeValueAsBytes(manifest.withFiles(digests));
        String manifestDigest = Sha256.hex(manifestBytes);
        files.put(ModelArtifact.MANIFEST, manifestBytes);
        files.put(
                ModelArtifact.MANIFEST_DIGEST,
                (manifestDigest + "\n").getBytes(StandardCharsets.US_ASCII));

        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute)) {
            throw new FileAlreadyExistsException(
                    absolute + " already exists; artifact versions are immutable");
        }
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path staging =
                parent.resolve("." + absolute.getFileName() + ".staging-" + UUID.randomUUID());
        Files.createDirectory(staging);
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = staging.resolve(file.getKey());
                Files.write(
                        path,
                        file.getValue(),
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
            }
            try {
                Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(
                        "the file system of "
                                + parent
                                + " cannot rename atomically; refusing a non-atomic publish",
                        e);
            }
        } finally {
            deleteRecursively(staging);
        }
        return manifestDigest;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
