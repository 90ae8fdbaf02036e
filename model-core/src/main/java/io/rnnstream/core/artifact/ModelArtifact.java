package io.rnnstream.core.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Objective;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.RecurrentLayerWeights;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.text.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verified model artifact: its manifest and the classifier built from its serving weights.
 *
 * <p>Layout of an artifact directory:
 *
 * <pre>
 * manifest.json     format version, identity, spec, labels, normalizer, training options,
 *                   metrics, provenance, and the SHA-256 of every file below
 * manifest.sha256   SHA-256 of manifest.json (the model topic announces the same digest)
 * serving.bin       exported serving weights ({@link TensorFile})
 * vocabulary.txt    token input only: one token per line, line number = id
 * network.json      DL4J network configuration (training only, for warm starts)
 * network.bin       DL4J parameters and updater state ({@link TensorFile}, training only)
 * </pre>
 *
 * <p>{@link #load} checks the manifest's digest, then the digest of every listed file, before it
 * parses any of them; it never uses Java deserialization.
 */
public record ModelArtifact(
        Manifest manifest, String manifestSha256, SequenceClassifier classifier) {

    public static final String MANIFEST = "manifest.json";
    public static final String MANIFEST_DIGEST = "manifest.sha256";
    public static final String SERVING_WEIGHTS = "serving.bin";
    public static final String VOCABULARY = "vocabulary.txt";
    public static final String NETWORK_CONFIGURATION = "network.json";
    public static final String NETWORK_PARAMETERS = "network.bin";

    static final int MAX_MANIFEST_BYTES = 16 << 20;
    static final int MAX_FILE_BYTES = 1 << 30;
    private static final Set<String> KNOWN_FILES =
            Set.of(SERVING_WEIGHTS, VOCABULARY, NETWORK_CONFIGURATION, NETWORK_PARAMETERS);

    /**
     * Loads and verifies an artifact.
     *
     * @param expectedManifestSha256 the digest announced for this artifact, or null to trust the
     *     artifact's own {@code manifest.sha256} (which proves integrity, not origin)
     */
    public static ModelArtifact load(ArtifactSource source, String expectedManifestSha256)
            throws IOException {
        String where = source.location();
        byte[] manifestBytes = source.read(MANIFEST, MAX_MANIFEST_BYTES);
        String actual = Sha256.hex(manifestBytes);
        String expected =
                expectedManifestSha256 != null
                        ? expectedManifestSha256
                        : new String(source.read(MANIFEST_DIGEST, 256), StandardCharsets.US_ASCII)
                                .strip();
        if (!Sha256.isDigest(expected)) {
            throw new ArtifactException(
                    where + ": expected manifest digest is not a SHA-256 hex string");
        }
        if (!actual.equals(expected)) {
            throw new ArtifactException(
                    where
                            + ": manifest.json has SHA-256 "
                            + actual
                            + " but "
                            + expected
                            + " was expected; the artifact was modified or is incomplete");
        }
        Manifest manifest = parseManifest(manifestBytes, where);
        Map<String, byte[]> files = readVerified(source, manifest, where);
        SequenceClassifier classifier = buildClassifier(manifest, files, where);
        if (manifest.objectiveOrClassification() == Objective.NEXT_TOKEN) {
            try {
                new LanguageModel(classifier);
            } catch (IllegalArgumentException e) {
                throw new ArtifactException(where + ": " + e.getMessage(), e);
            }
        }
        return new ModelArtifact(manifest, actual, classifier);
    }

    /** What the model predicts. */
    public Objective objective() {
        return manifest.objectiveOrClassification();
    }

    /**
     * The artifact's network as a classifier.
     *
     * @param where names the artifact in the error
     * @throws ArtifactException if it is a language model
     */
    public SequenceClassifier requireClassifier(String where) throws ArtifactException {
        require(Objective.CLASSIFICATION, "a classifier", where);
        return classifier;
    }

    /**
     * The artifact's network as a language model.
     *
     * @param where names the artifact in the error
     * @throws ArtifactException if it is a classifier
     */
    public LanguageModel requireLanguageModel(String where) throws ArtifactException {
        require(Objective.NEXT_TOKEN, "a next-token language model", where);
        return new LanguageModel(classifier);
    }

    private void require(Objective expected, String expectedName, String where)
            throws ArtifactException {
        if (objective() != expected) {
            throw new ArtifactException(
                    where
                            + ": "
                            + manifest.name()
                            + " version "
                            + manifest.version()
                            + (objective() == Objective.NEXT_TOKEN
                                    ? " is a next-token language model"
                                    : " is a classification model")
                            + ", where "
                            + expectedName
                            + " is expected");
        }
    }

    /**
     * Reads one more file of this artifact, such as the DL4J network for a warm start, and checks
     * it against the digest in the verified manifest. The bytes returned are the bytes hashed, so a
     * file swapped after {@link #load} is refused rather than used.
     *
     * @throws ArtifactException if the manifest does not list the file or its digest differs
     */
    public byte[] readVerified(ArtifactSource source, String fileName) throws IOException {
        String where = source.location();
        String expected = manifest.files() == null ? null : manifest.files().get(fileName);
        if (expected == null) {
            throw new ArtifactException(where + ": the manifest lists no " + fileName);
        }
        byte[] bytes = source.read(fileName, MAX_FILE_BYTES);
        String digest = Sha256.hex(bytes);
        if (!digest.equals(expected)) {
            throw new ArtifactException(
                    where
                            + ": "
                            + fileName
                            + " has SHA-256 "
                            + digest
                            + " but the manifest says "
                            + expected
                            + "; the file was modified or truncated");
        }
        return bytes;
    }

    /** Verifies every listed file before returning any of them. */
    private static Map<String, byte[]> readVerified(
            ArtifactSource source, Manifest manifest, String where) throws IOException {
        if (manifest.files() == null || !manifest.files().containsKey(SERVING_WEIGHTS)) {
            throw new ArtifactException(where + ": manifest lists no " + SERVING_WEIGHTS);
        }
        boolean tokens = manifest.spec().inputKind() == InputKind.TOKENS;
        if (tokens != manifest.files().containsKey(VOCABULARY)) {
            throw new ArtifactException(
                    where
                            + ": a "
                            + manifest.spec().inputKind()
                            + " model "
                            + (tokens ? "needs " : "must not have ")
                            + VOCABULARY);
        }
        Map<String, byte[]> verified = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : manifest.files().entrySet()) {
            String name = entry.getKey();
            if (!KNOWN_FILES.contains(name)) {
                throw new ArtifactException(
                        where
                                + ": manifest lists unknown file '"
                                + name
                                + "'; expected some of "
                                + KNOWN_FILES);
            }
            byte[] bytes = source.read(name, MAX_FILE_BYTES);
            String digest = Sha256.hex(bytes);
            if (!digest.equals(entry.getValue())) {
                throw new ArtifactException(
                        where
                                + ": "
                                + name
                                + " has SHA-256 "
                                + digest
                                + " but the manifest says "
                                + entry.getValue()
                                + "; the file was modified or truncated");
            }
            verified.put(name, bytes);
        }
        return verified;
    }

    static Manifest parseManifest(byte[] bytes, String where) throws ArtifactException {
        try {
            JsonNode tree = Json.STRICT.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new ArtifactException(where + ": manifest.json is not a JSON object");
            }
            JsonNode format = tree.get("formatVersion");
            if (format == null || !format.canConvertToInt()) {
                throw new ArtifactException(
                        where
                                + ": manifest.json has no integer formatVersion; not an rnnstream artifact");
            }
            if (format.asInt() != Manifest.FORMAT_VERSION) {
                throw new ArtifactException(
                        where
                                + ": artifact format version "
                                + format.asInt()
                                + " is not supported; this rnnstream reads version "
                                + Manifest.FORMAT_VERSION);
            }
            Manifest manifest = Json.STRICT.treeToValue(tree, Manifest.class);
            if (manifest.spec() == null || manifest.name() == null || manifest.name().isBlank()) {
                throw new ArtifactException(where + ": manifest.json needs a name and a spec");
            }
            if (manifest.spec().inputKind() == InputKind.TOKENS
                    && !Tokenizer.NAME.equals(manifest.tokenizer())) {
                throw new ArtifactException(
                        where
                                + ": tokenizer '"
                                + manifest.tokenizer()
                                + "' is unknown; this rnnstream has "
                                + Tokenizer.NAME);
            }
            return manifest;
        } catch (JsonProcessingException e) {
            throw new ArtifactException(
                    where + ": manifest.json is invalid: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ArtifactException(
                    where + ": manifest.json cannot be read: " + e.getMessage(), e);
        }
    }

    private static SequenceClassifier buildClassifier(
            Manifest manifest, Map<String, byte[]> files, String where) throws ArtifactException {
        ModelSpec spec = manifest.spec();
        Map<String, TensorFile.Tensor> tensors =
                TensorFile.read(files.get(SERVING_WEIGHTS), where + "/" + SERVING_WEIGHTS);
        try {
            NetworkWeights weights = fromTensors(spec, tensors, where);
            FeatureNormalizer normalizer = null;
            Vocabulary vocabulary = null;
            if (spec.inputKind() == InputKind.FEATURES) {
                if (manifest.normalizer() == null) {
                    throw new ArtifactException(
                            where + ": a feature model needs a normalizer in manifest.json");
                }
                normalizer =
                        new FeatureNormalizer(
                                manifest.normalizer().mean(), manifest.normalizer().std());
            } else {
                String text = new String(files.get(VOCABULARY), StandardCharsets.UTF_8);
                vocabulary = new Vocabulary(List.of(text.split("\n")));
            }
            return new SequenceClassifier(weights, normalizer, vocabulary);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(where + ": " + e.getMessage(), e);
        }
    }

    /** The tensors of {@code serving.bin} for these weights. */
    public static Map<String, TensorFile.Tensor> toTensors(NetworkWeights weights) {
        ModelSpec spec = weights.spec();
        Map<String, TensorFile.Tensor> tensors = new LinkedHashMap<>();
        if (weights.embedding() != null) {
            tensors.put(
                    "embedding",
                    new TensorFile.Tensor(
                            new int[] {spec.inputSize(), spec.embeddingSize()},
                            weights.embedding()));
        }
        for (int l = 0; l < weights.layers().size(); l++) {
            RecurrentLayerWeights layer = weights.layers().get(l);
            tensors.put(
                    "layer" + l + ".input",
                    new TensorFile.Tensor(
                            new int[] {layer.inputSize(), layer.width()}, layer.input()));
            tensors.put(
                    "layer" + l + ".recurrent",
                    new TensorFile.Tensor(
                            new int[] {layer.hiddenSize(), layer.width()}, layer.recurrent()));
            tensors.put(
                    "layer" + l + ".bias",
                    new TensorFile.Tensor(new int[] {layer.width()}, layer.bias()));
        }
        tensors.put(
                "output.weights",
                new TensorFile.Tensor(
                        new int[] {spec.hiddenSize(), spec.numClasses()}, weights.output()));
        tensors.put(
                "output.bias",
                new TensorFile.Tensor(new int[] {spec.numClasses()}, weights.outputBias()));
        return tensors;
    }

    private static NetworkWeights fromTensors(
            ModelSpec spec, Map<String, TensorFile.Tensor> tensors, String where)
            throws ArtifactException {
        int width = spec.cell().gateBlocks() * spec.hiddenSize();
        Map<String, TensorFile.Tensor> remaining = new LinkedHashMap<>(tensors);
        float[] embedding = null;
        if (spec.inputKind() == InputKind.TOKENS) {
            embedding =
                    take(
                            remaining,
                            "embedding",
                            new int[] {spec.inputSize(), spec.embeddingSize()},
                            where);
        }
        List<RecurrentLayerWeights> layers = new ArrayList<>();
        int in = spec.firstLayerInputSize();
        for (int l = 0; l < spec.layers(); l++) {
            layers.add(
                    new RecurrentLayerWeights(
                            spec.cell(),
                            in,
                            spec.hiddenSize(),
                            take(remaining, "layer" + l + ".input", new int[] {in, width}, where),
                            take(
                                    remaining,
                                    "layer" + l + ".recurrent",
                                    new int[] {spec.hiddenSize(), width},
                                    where),
                            take(remaining, "layer" + l + ".bias", new int[] {width}, where)));
            in = spec.hiddenSize();
        }
        float[] output =
                take(
                        remaining,
                        "output.weights",
                        new int[] {spec.hiddenSize(), spec.numClasses()},
                        where);
        float[] outputBias = take(remaining, "output.bias", new int[] {spec.numClasses()}, where);
        if (!remaining.isEmpty()) {
            throw new ArtifactException(
                    where + ": serving.bin holds unexpected tensors " + remaining.keySet());
        }
        return new NetworkWeights(spec, embedding, layers, output, outputBias);
    }

    private static float[] take(
            Map<String, TensorFile.Tensor> tensors, String name, int[] dims, String where)
            throws ArtifactException {
        TensorFile.Tensor tensor = tensors.remove(name);
        if (tensor == null) {
            throw new ArtifactException(where + ": serving.bin has no tensor " + name);
        }
        if (!java.util.Arrays.equals(tensor.dims(), dims)) {
            throw new ArtifactException(
                    where
                            + ": tensor "
                            + name
                            + " has shape "
                            + java.util.Arrays.toString(tensor.dims())
                            + ", the spec needs "
                            + java.util.Arrays.toString(dims));
        }
        for (float value : tensor.values()) {
            if (!Float.isFinite(value)) {
                throw new ArtifactException(
                        where + ": tensor " + name + " holds a non-finite value");
            }
        }
        return tensor.values();
    }
}
