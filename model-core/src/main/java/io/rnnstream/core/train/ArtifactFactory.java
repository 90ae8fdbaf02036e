package io.rnnstream.core.train;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.core.artifact.ArtifactWriter;
import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.artifact.TensorFile;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Turns a {@link TrainedModel} into a self-describing artifact (manifest, serving weights, and the
 * DL4J network for warm starts), and turns a verified artifact back into a {@link
 * SequenceTrainer.WarmStart}. The only place that joins DL4J networks and artifacts.
 */
public final class ArtifactFactory {

    /** The DL4J release the networks in artifacts are written with. */
    public static final String DL4J_VERSION = "1.0.0-M2.1";

    /**
     * Where a model came from.
     *
     * @param dataFile the training data file as given
     * @param dataFormat its format name
     * @param dataSha256 SHA-256 of the data file, or null
     * @param rnnstreamVersion version of the software that trained the model
     * @param parent manifest SHA-256 of the warm-start parent, or null
     */
    public record Provenance(
            String dataFile,
            String dataFormat,
            String dataSha256,
            String rnnstreamVersion,
            String parent) {

        public Provenance {
            Objects.requireNonNull(dataFile, "dataFile");
            Objects.requireNonNull(dataFormat, "dataFormat");
            Objects.requireNonNull(rnnstreamVersion, "rnnstreamVersion");
        }
    }

    private ArtifactFactory() {}

    /**
     * The manifest for {@code model}. Its metrics hold the training figures (validation accuracy
     * and loss, best epoch, epochs run, seconds, split sizes) followed by {@code extraMetrics}
     * (e.g. test figures); {@code files} is filled in when the artifact is written.
     */
    public static Manifest manifest(
            TrainedModel model,
            String name,
            long version,
            Provenance provenance,
            Map<String, Object> extraMetrics) {
        SequenceClassifier classifier = model.classifier();
        FeatureNormalizer normalizer = classifier.normalizer();
        boolean tokens = classifier.spec().inputKind() == InputKind.TOKENS;

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validationAccuracy", model.validationAccuracy());
        metrics.put("validationLoss", model.validationLoss());
        metrics.put("bestEpoch", model.bestEpoch());
        metrics.put("epochsRun", model.history().size());
        metrics.put("trainSeconds", model.trainSeconds());
        metrics.put("trainSequences", model.trainSequences());
        metrics.put("validationSequences", model.validationSequences());
        metrics.putAll(extraMetrics);

        Map<String, String> origin = origin(provenance, model.options().seed());

        return new Manifest(
                Manifest.FORMAT_VERSION,
                name,
                version,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                classifier.spec(),
                tokens ? Tokenizer.NAME : null,
                normalizer == null
                        ? null
                        : new Manifest.NormalizerValues(normalizer.mean(), normalizer.std()),
                model.options(),
                metrics,
                origin,
                Map.of());
    }

    /** The manifest's provenance entries: data, software versions, seed and parent. */
    static Map<String, String> origin(Provenance provenance, long seed) {
        Map<String, String> origin = new LinkedHashMap<>();
        origin.put("dataFile", provenance.dataFile());
        origin.put("dataFormat", provenance.dataFormat());
        if (provenance.dataSha256() != null) {
            origin.put("dataSha256", provenance.dataSha256());
        }
        origin.put("rnnstreamVersion", provenance.rnnstreamVersion());
        origin.put("dl4jVersion", DL4J_VERSION);
        origin.put("seed", Long.toString(seed));
        if (provenance.parent() != null) {
            origin.put("parent", provenance.parent());
        }
        return origin;
    }

    /**
     * Writes the artifact directory {@code target} (which must not exist) with the serving weights
     * and the DL4J network.
     *
     * @return the SHA-256 of the written {@code manifest.json}
     */
    public static String write(Path target, TrainedModel model, Manifest manifest)
            throws IOException {
        return ArtifactWriter.write(
                target, manifest, model.classifier(), NetworkStore.toFiles(model.network()));
    }

    /**
     * The DL4J network, normalizer and vocabulary of a verified artifact, to continue training
     * from. The network files are read again through {@code source} and checked against the
     * manifest's digests before they are parsed.
     *
     * @throws ArtifactException if the artifact has no network files or they do not verify
     */
    public static SequenceTrainer.WarmStart warmStart(ArtifactSource source, ModelArtifact artifact)
            throws IOException {
        byte[] configuration = artifact.readVerified(source, ModelArtifact.NETWORK_CONFIGURATION);
        byte[] parameters = artifact.readVerified(source, ModelArtifact.NETWORK_PARAMETERS);
        String where = source.location();
        SequenceClassifier classifier = artifact.requireClassifier(where);
        MultiLayerNetwork network = NetworkStore.fromFiles(configuration, parameters, where);
        checkSameWeights(network, classifier, where);
        return new SequenceTrainer.WarmStart(
                network, classifier.spec(), classifier.normalizer(), classifier.vocabulary());
    }

    /**
     * The network must be the one the serving weights were exported from; otherwise a warm start
     * would silently continue from a different model than the one that was served.
     */
    private static void checkSameWeights(
            MultiLayerNetwork network, SequenceClassifier classifier, String where)
            throws ArtifactException {
        Map<String, TensorFile.Tensor> exported;
        try {
            exported = ModelArtifact.toTensors(ServingExport.export(network, classifier.spec()));
        } catch (RuntimeException e) {
            throw new ArtifactException(
                    where + ": network.json does not fit the manifest's spec: " + e.getMessage(),
                    e);
        }
        Map<String, TensorFile.Tensor> served = ModelArtifact.toTensors(classifier.weights());
        for (Map.Entry<String, TensorFile.Tensor> entry : served.entrySet()) {
            TensorFile.Tensor other = exported.get(entry.getKey());
            if (other == null
                    || !Arrays.equals(other.dims(), entry.getValue().dims())
                    || !Arrays.equals(other.values(), entry.getValue().values())) {
                throw new ArtifactException(
                        where
                                + ": network.bin and serving.bin disagree on "
                                + entry.getKey()
                                + "; they were not written together");
            }
        }
    }
}
