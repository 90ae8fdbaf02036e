package io.rnnstream.core.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.data.VaderReader;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.train.NetworkStore;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An artifact round-trips exactly, and loading refuses anything that is not what was written. */
class ModelArtifactTest {

    private static TrainedModel vowelModel;
    private static TrainedModel sentimentModel;
    private static List<LabeledSequence> vowelProbes;
    private static List<LabeledSequence> sentimentProbes;

    @TempDir Path dir;

    @BeforeAll
    static void trainTinyModels() throws IOException {
        Dataset vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts"));
        Dataset sentiment =
                VaderReader.read(
                        TestData.path("vader-sentiment/movieReviewSnippets_GroundTruth.txt"));
        TrainingOptions tiny =
                TrainingOptions.builder()
                        .hiddenSize(4)
                        .embeddingSize(4)
                        .minTokenCount(1)
                        .maxEpochs(1)
                        .patience(1)
                        .build();
        vowelModel = SequenceTrainer.train(TestData.slice(vowels, 3), tiny, null);
        sentimentModel = SequenceTrainer.train(TestData.slice(sentiment, 15), tiny, null);
        vowelProbes = vowels.sequences().subList(100, 110);
        sentimentProbes = sentiment.sequences().subList(3000, 3010);
    }

    @Test
    void featureModelRoundTripsWithIdenticalProbabilities() throws IOException {
        Path target = dir.resolve("vowels/3");
        String digest = writeVowels(target);

        ModelArtifact trusted = ModelArtifact.load(new DirectorySource(target), null);
        ModelArtifact pinned = ModelArtifact.load(new DirectorySource(target), digest);

        assertThat(trusted.manifestSha256()).isEqualTo(digest);
        assertThat(pinned.manifestSha256()).isEqualTo(digest);
        assertThat(trusted.manifest().name()).isEqualTo("vowels");
        assertThat(trusted.manifest().version()).isEqualTo(3);
        assertThat(trusted.manifest().spec()).isEqualTo(vowelModel.classifier().spec());
        assertThat(trusted.manifest().training()).isEqualTo(TrainingOptions.defaults());
        assertThat(trusted.manifest().files())
                .containsOnlyKeys(
                        ModelArtifact.SERVING_WEIGHTS,
                        ModelArtifact.NETWORK_CONFIGURATION,
                        ModelArtifact.NETWORK_PARAMETERS);
        assertThat(trusted.classifier().normalizer())
                .isEqualTo(vowelModel.classifier().normalizer());
        assertSameProbabilities(vowelModel.classifier(), trusted.classifier(), vowelProbes);
        assertSameProbabilities(vowelModel.classifier(), pinned.classifier(), vowelProbes);
    }

    @Test
    void tokenModelRoundTripsWithIdenticalProbabilities() throws IOException {
        Path target = dir.resolve("sentiment/1");
        SequenceClassifier original = sentimentModel.classifier();
        Manifest manifest = manifest("sentiment", original);
        String digest = ArtifactWriter.write(target, manifest, original, Map.of());

        ModelArtifact loaded = ModelArtifact.load(new DirectorySource(target), digest);

        assertThat(loaded.classifier().vocabulary()).isEqualTo(original.vocabulary());
        assertThat(loaded.manifest().files())
                .containsOnlyKeys(ModelArtifact.SERVING_WEIGHTS, ModelArtifact.VOCABULARY);
        assertSameProbabilities(original, loaded.classifier(), sentimentProbes);
    }

    @Test
    void refusesFlippedByteInServingWeights() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        flipByte(target.resolve(ModelArtifact.SERVING_WEIGHTS), 100);

        assertRefused(
                target, null, "serving.bin has SHA-256", "the file was modified or truncated");
    }

    @Test
    void refusesFlippedByteInNetworkParameters() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        flipByte(target.resolve(ModelArtifact.NETWORK_PARAMETERS), 40);

        assertRefused(
                target, null, "network.bin has SHA-256", "the file was modified or truncated");
    }

    @Test
    void refusesEditedManifest() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        Path manifest = target.resolve(ModelArtifact.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("\"vowels\"", "\"vowel5\""));

        assertRefused(target, null, "manifest.json has SHA-256", "was expected");
    }

    @Test
    void refusesTruncatedServingWeights() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        Path weights = target.resolve(ModelArtifact.SERVING_WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 10));

        assertRefused(target, null, "serving.bin has SHA-256", "modified or truncated");
    }

    @Test
    void refusesTruncatedServingWeightsEvenWhenTheDigestsWereRewrittenToMatch() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        Path weights = target.resolve(ModelArtifact.SERVING_WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
        Files.write(weights, truncated);
        ObjectNode manifest = readManifest(target);
        ((ObjectNode) manifest.get("files"))
                .put(ModelArtifact.SERVING_WEIGHTS, Sha256.hex(truncated));
        writeManifest(target, manifest);

        assertRefused(target, null, "serving.bin", "(truncated file?)");
    }

    @Test
    void refusesUnknownFormatVersion() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        ObjectNode manifest = readManifest(target);
        manifest.put("formatVersion", 99);
        writeManifest(target, manifest);

        assertRefused(
                target,
                null,
                "artifact format version 99 is not supported",
                "reads version " + Manifest.FORMAT_VERSION);
    }

    @Test
    void refusesForeignDirectoryWithoutManifest() throws IOException {
        Path foreign = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(foreign.resolve("README.txt"), "holiday pictures");
        Files.write(foreign.resolve("serving.bin"), new byte[] {1, 2, 3});

        assertRefused(foreign, null, "has no file manifest.json");
    }

    @Test
    void refusesZipFileNamedLikeTheManifest() throws IOException {
        Path foreign = Files.createDirectories(dir.resolve("zipped"));
        byte[] zip = zip("configuration.json", "{}");
        Files.write(foreign.resolve(ModelArtifact.MANIFEST), zip);
        Files.writeString(foreign.resolve(ModelArtifact.MANIFEST_DIGEST), Sha256.hex(zip));

        assertRefused(foreign, null, "manifest.json is invalid");
    }

    @Test
    void refusesZipFileInPlaceOfTheServingWeights() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        byte[] zip = zip("coefficients.bin", "not weights");
        Files.write(target.resolve(ModelArtifact.SERVING_WEIGHTS), zip);
        ObjectNode manifest = readManifest(target);
        ((ObjectNode) manifest.get("files")).put(ModelArtifact.SERVING_WEIGHTS, Sha256.hex(zip));
        writeManifest(target, manifest);

        assertRefused(target, null, "serving.bin is not an rnnstream tensor file (bad magic)");
    }

    @Test
    void refusesManifestListingAFileOutsideTheLayout() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        ObjectNode manifest = readManifest(target);
        ((ObjectNode) manifest.get("files"))
                .put("../etc/passwd", Sha256.hex("root:x:0:0".getBytes(StandardCharsets.UTF_8)));
        writeManifest(target, manifest);

        assertRefused(target, null, "manifest lists unknown file '../etc/passwd'");
    }

    @Test
    void refusesWhenTheAnnouncedDigestDiffers() throws IOException {
        Path target = dir.resolve("vowels/1");
        String digest = writeVowels(target);
        String other = "0".repeat(64);

        assertRefused(target, other, "manifest.json has SHA-256 " + digest + " but " + other);
        assertRefused(target, "not-a-digest", "expected manifest digest is not a SHA-256");
    }

    @Test
    void refusesToOverwriteAnExistingVersion() throws IOException {
        Path target = dir.resolve("vowels/1");
        String digest = writeVowels(target);
        Manifest changed =
                manifest("vowels", vowelModel.classifier())
                        .withIdentity("vowels", 1, "2024-06-01T00:00:00Z");

        assertThatThrownBy(
                        () ->
                                ArtifactWriter.write(
                                        target, changed, vowelModel.classifier(), Map.of()))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("artifact versions are immutable");
        assertThat(ModelArtifact.load(new DirectorySource(target), null).manifestSha256())
                .isEqualTo(digest);
    }

    @Test
    void leavesOnlyThePublishedDirectoryBehind() throws IOException {
        writeVowels(dir.resolve("vowels/1"));
        writeVowels(dir.resolve("vowels/2"));
        assertThatThrownBy(() -> writeVowels(dir.resolve("vowels/2")))
                .isInstanceOf(FileAlreadyExistsException.class);

        try (Stream<Path> children = Files.list(dir.resolve("vowels"))) {
            assertThat(children.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("1", "2");
        }
        try (Stream<Path> files = Files.list(dir.resolve("vowels/1"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "manifest.json",
                            "manifest.sha256",
                            "serving.bin",
                            "network.json",
                            "network.bin");
        }
    }

    @Test
    void writerRefusesExtraFilesOutsideTheArtifactLayout() throws IOException {
        Path target = dir.resolve("vowels/1");
        Manifest manifest = manifest("vowels", vowelModel.classifier());
        byte[] payload = "x".getBytes(StandardCharsets.UTF_8);

        for (String name :
                List.of(
                        "../escaped.txt",
                        "notes.txt",
                        ModelArtifact.SERVING_WEIGHTS,
                        ModelArtifact.MANIFEST)) {
            assertThatThrownBy(
                            () ->
                                    ArtifactWriter.write(
                                            target,
                                            manifest,
                                            vowelModel.classifier(),
                                            Map.of(name, payload)))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + name + "'")
                    .hasMessageContaining(ModelArtifact.NETWORK_PARAMETERS);
        }
        try (Stream<Path> left = Files.walk(dir)) {
            assertThat(left.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()))
                    .isEmpty();
        }
    }

    @Test
    void loadedModelRefusesFeatureVectorOfWrongDimension() throws IOException {
        Path target = dir.resolve("vowels/1");
        writeVowels(target);
        SequenceClassifier loaded =
                ModelArtifact.load(new DirectorySource(target), null).classifier();

        assertThatThrownBy(() -> loaded.newStepper().advance(loaded.initialState(), new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features has dimension 5, the model expects 12");
    }

    private static String writeVowels(Path target) throws IOException {
        return ArtifactWriter.write(
                target,
                manifest("vowels", vowelModel.classifier()),
                vowelModel.classifier(),
                NetworkStore.toFiles(vowelModel.network()));
    }

    private static Manifest manifest(String name, SequenceClassifier classifier) {
        FeatureNormalizer normalizer = classifier.normalizer();
        return new Manifest(
                Manifest.FORMAT_VERSION,
                name,
                3,
                "2024-05-01T12:00:00Z",
                classifier.spec(),
                classifier.vocabulary() == null ? null : Tokenizer.NAME,
                normalizer == null
                        ? null
                        : new Manifest.NormalizerValues(normalizer.mean(), normalizer.std()),
                TrainingOptions.defaults(),
                Map.of("testAccuracy", 0.5, "testSequences", 370),
                Map.of("data", "JapaneseVowels_TRAIN.ts", "trainer", "ModelArtifactTest"),
                null);
    }

    private static void assertSameProbabilities(
            SequenceClassifier expected, SequenceClassifier actual, List<LabeledSequence> probes) {
        for (LabeledSequence probe : probes) {
            assertThat(Evaluator.predict(actual, probe))
                    .as(probe.id())
                    .containsExactly(Evaluator.predict(expected, probe));
        }
    }

    private static void assertRefused(Path target, String digest, String... fragments) {
        assertThatThrownBy(() -> ModelArtifact.load(new DirectorySource(target), digest))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContainingAll(fragments);
    }

    private static void flipByte(Path file, int index) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[index] ^= 0x01;
        Files.write(file, bytes);
    }

    private static ObjectNode readManifest(Path target) throws IOException {
        return (ObjectNode) Json.STRICT.readTree(target.resolve(ModelArtifact.MANIFEST).toFile());
    }

    /** Writes the manifest and a matching manifest.sha256, as a forger would. */
    private static void writeManifest(Path target, ObjectNode manifest) throws IOException {
        byte[] bytes = Json.STRICT.writeValueAsBytes(manifest);
        Files.write(target.resolve(ModelArtifact.MANIFEST), bytes);
        Files.writeString(target.resolve(ModelArtifact.MANIFEST_DIGEST), Sha256.hex(bytes) + "\n");
    }

    private static byte[] zip(String entry, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
