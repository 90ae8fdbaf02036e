package io.rnnstream.stream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.artifact.Sha256;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.testkit.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: model artifacts are untrusted input. DL4J's {@code ModelSerializer} runs Java
 * deserialization on some zip entries; rnnstream's loader must verify digests before parsing, read
 * only the files it expects, and never deserialize Java objects. Every crafted artifact below
 * carries a serialized {@link Tripwire}, whose {@code readObject} would record that it ran; a
 * recording source lists every file the loader opened. ({@code ArchitectureTest} of each module
 * keeps Java deserialization and DL4J's ModelSerializer out of the code.)
 */
class CraftedArtifactIsRefusedWithoutDeserializationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir Path directory;
    private Path artifact;

    /** Records that Java deserialization of this object happened. */
    static final class Tripwire implements Serializable {
        @Serial private static final long serialVersionUID = 1L;
        static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    /** Lists every file the loader reads. */
    private static final class RecordingSource implements ArtifactSource {
        private final DirectorySource delegate;
        final List<String> read = new ArrayList<>();

        RecordingSource(Path directory) {
            delegate = new DirectorySource(directory);
        }

        @Override
        public byte[] read(String fileName, int maxBytes) throws IOException {
            read.add(fileName);
            return delegate.read(fileName, maxBytes);
        }

        @Override
        public String location() {
            return delegate.location();
        }
    }

    @BeforeEach
    void writeGenuineArtifact() throws Exception {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        artifact = directory.resolve("vowels-1");
        TestModels.featureModel(artifact, "vowels", 1, 7, CellType.LSTM, 8, vowels);
        Tripwire.DESERIALIZED.set(false);
        assertThat(deserializes(serializedTripwire())).as("the tripwire works").isTrue();
        Tripwire.DESERIALIZED.set(false);
    }

    @Test
    void aSerializedObjectFileNotInTheManifestIsNeverRead() throws Exception {
        Files.write(artifact.resolve("preprocessor.bin"), serializedTripwire());
        RecordingSource source = new RecordingSource(artifact);

        ModelArtifact.load(source, null);

        assertThat(source.read)
                .containsExactlyInAnyOrder("manifest.json", "manifest.sha256", "serving.bin");
        assertThat(Tripwire.DESERIALIZED).isFalse();
    }

    @Test
    void aManifestListingASerializedObjectEntryIsRefusedBeforeTheEntryIsRead() throws Exception {
        byte[] object = serializedTripwire();
        Files.write(artifact.resolve("objects.bin"), object);
        rewriteManifest(files -> files.put("objects.bin", Sha256.hex(object)));
        RecordingSource source = new RecordingSource(artifact);

        assertThatThrownBy(() -> ModelArtifact.load(source, null))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("manifest lists unknown file 'objects.bin'");
        assertThat(source.read).doesNotContain("objects.bin");
        assertThat(Tripwire.DESERIALIZED).isFalse();
    }

    @Test
    void servingWeightsReplacedByASerializedObjectAreRefusedUnread() throws Exception {
        byte[] object = serializedTripwire();
        Files.write(artifact.resolve("serving.bin"), object);
        rewriteManifest(files -> files.put("serving.bin", Sha256.hex(object)));

        assertThatThrownBy(() -> ModelArtifact.load(new RecordingSource(artifact), null))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("serving.bin");
        assertThat(Tripwire.DESERIALIZED).isFalse();
    }

    @Test
    void anArtifactNotMatchingTheAnnouncedDigestIsRefusedAfterReadingOnlyTheManifest()
            throws Exception {
        String announced = Files.readString(artifact.resolve("manifest.sha256")).strip();
        byte[] object = serializedTripwire();
        Files.write(artifact.resolve("serving.bin"), object);
        rewriteManifest(files -> files.put("serving.bin", Sha256.hex(object)));
        RecordingSource source = new RecordingSource(artifact);

        assertThatThrownBy(() -> ModelArtifact.load(source, announced))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("the artifact was modified or is incomplete");
        assertThat(source.read).containsExactly("manifest.json");
        assertThat(Tripwire.DESERIALIZED).isFalse();
    }

    /**
     * Edits the manifest's file digests and rewrites manifest.sha256 to match, as an attacker with
     * write access to the store would.
     */
    private void rewriteManifest(java.util.function.Consumer<ObjectNode> editFiles)
            throws IOException {
        ObjectNode manifest =
                (ObjectNode) MAPPER.readTree(artifact.resolve("manifest.json").toFile());
        editFiles.accept((ObjectNode) manifest.get("files"));
        byte[] bytes = MAPPER.writeValueAsBytes(manifest);
        Files.write(artifact.resolve("manifest.json"), bytes);
        Files.writeString(
                artifact.resolve("manifest.sha256"), Sha256.hex(bytes), StandardCharsets.US_ASCII);
    }

    private static byte[] serializedTripwire() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Tripwire());
        }
        return bytes.toByteArray();
    }

    private static boolean deserializes(byte[] bytes) throws Exception {
        try (ObjectInputStream in =
                new ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            in.readObject();
        }
        return Tripwire.DESERIALIZED.get();
    }
}
