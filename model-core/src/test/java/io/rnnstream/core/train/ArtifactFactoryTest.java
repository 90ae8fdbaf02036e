package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactFactoryTest {

    @TempDir static Path work;

    private static TrainedModel model;
    private static Path artifact;
    private static String manifestSha;

    @BeforeAll
    static void trainAndWrite() throws IOException {
        Dataset data =
                TestData.slice(
                        TsReader.read(TestData.path("basicmotions/BasicMotions_TRAIN.ts")), 3);
        TrainingOptions options =
                TrainingOptions.builder().hiddenSize(4).maxEpochs(2).patience(2).build();
        model = SequenceTrainer.train(data, options, null);
        Manifest manifest =
                ArtifactFactory.manifest(
                        model,
                        "motions",
                        3,
                        new ArtifactFactory.Provenance(
                                "BasicMotions_TRAIN.ts", "ts", null, "test", null),
                        Map.of("testAccuracy", 0.5));
        artifact = work.resolve("motions/3");
        manifestSha = ArtifactFactory.write(artifact, model, manifest);
    }

    @Test
    void manifestRecordsIdentityProvenanceAndMetrics() throws IOException {
        Manifest manifest =
                ModelArtifact.load(new DirectorySource(artifact), manifestSha).manifest();

        assertThat(manifest.name()).isEqualTo("motions");
        assertThat(manifest.version()).isEqualTo(3);
        assertThat(manifest.training()).isEqualTo(model.options());
        assertThat(manifest.provenance())
                .containsEntry("dl4jVersion", "1.0.0-M2.1")
                .containsEntry("seed", "42")
                .containsEntry("dataFormat", "ts");
        assertThat(manifest.metrics())
                .containsKeys("validationAccuracy", "bestEpoch", "epochsRun", "trainSeconds")
                .containsEntry("testAccuracy", 0.5);
        assertThat(manifest.files())
                .containsKeys(
                        ModelArtifact.NETWORK_CONFIGURATION, ModelArtifact.NETWORK_PARAMETERS);
    }

    @Test
    void warmStartRestoresTheTrainedNetwork() throws IOException {
        DirectorySource source = new DirectorySource(artifact);
        ModelArtifact loaded = ModelArtifact.load(source, manifestSha);

        SequenceTrainer.WarmStart warm = ArtifactFactory.warmStart(source, loaded);

        assertThat(warm.network().params().toFloatVector())
                .containsExactly(model.network().params().toFloatVector());
        assertThat(warm.spec()).isEqualTo(model.classifier().spec());
        assertThat(warm.normalizer()).isEqualTo(model.classifier().normalizer());
    }

    @Test
    void warmStartRefusesANetworkFileChangedAfterLoading() throws IOException {
        Path copy = work.resolve("copy/3");
        Files.createDirectories(copy);
        try (var files = Files.list(artifact)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        DirectorySource source = new DirectorySource(copy);
        ModelArtifact loaded = ModelArtifact.load(source, manifestSha);
        byte[] network = Files.readAllBytes(copy.resolve(ModelArtifact.NETWORK_PARAMETERS));
        network[network.length - 1] ^= 1;
        Files.write(copy.resolve(ModelArtifact.NETWORK_PARAMETERS), network);

        assertThatThrownBy(() -> ArtifactFactory.warmStart(source, loaded))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("network.bin has SHA-256");
    }
}
