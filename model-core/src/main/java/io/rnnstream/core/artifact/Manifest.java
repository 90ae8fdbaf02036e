package io.rnnstream.core.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Objective;
import io.rnnstream.core.model.TrainingOptions;
import java.util.Map;

/**
 * The self-description of a model artifact, stored as {@code manifest.json}.
 *
 * @param formatVersion layout version of the artifact; readers refuse versions they do not know
 * @param name model name, e.g. {@code sentiment}
 * @param version model version, increasing per name
 * @param createdAt ISO-8601 instant
 * @param spec architecture and labels
 * @param tokenizer tokenizer name for token input ({@link io.rnnstream.core.text.Tokenizer#NAME}),
 *     or null
 * @param normalizer per-feature standardization for feature input, or null
 * @param training the options the model was trained with
 * @param metrics evaluation figures (validation, test), free-form numbers
 * @param provenance where the model came from: data, software versions, parent model
 * @param files SHA-256 of every other file of the artifact, by file name
 * @param objective what the model predicts; absent (null) means {@link Objective#CLASSIFICATION},
 *     which keeps classifier manifests readable by releases that predate language models, while
 *     those releases refuse a language model's manifest as having an unknown field
 */
public record Manifest(
        int formatVersion,
        String name,
        long version,
        String createdAt,
        ModelSpec spec,
        String tokenizer,
        NormalizerValues normalizer,
        TrainingOptions training,
        Map<String, Object> metrics,
        Map<String, String> provenance,
        Map<String, String> files,
        @JsonInclude(JsonInclude.Include.NON_NULL) Objective objective) {

    /** The artifact layout this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** A classifier's manifest. */
    public Manifest(
            int formatVersion,
            String name,
            long version,
            String createdAt,
            ModelSpec spec,
            String tokenizer,
            NormalizerValues normalizer,
            TrainingOptions training,
            Map<String, Object> metrics,
            Map<String, String> provenance,
            Map<String, String> files) {
        this(
                formatVersion,
                name,
                version,
                createdAt,
                spec,
                tokenizer,
                normalizer,
                training,
                metrics,
                provenance,
                files,
                null);
    }

    public Manifest {
        // Written only for language models; see the parameter's description.
        if (objective == Objective.CLASSIFICATION) {
            objective = null;
        }
    }

    /** What the model predicts; {@link Objective#CLASSIFICATION} when the manifest names none. */
    public Objective objectiveOrClassification() {
        return objective == null ? Objective.CLASSIFICATION : objective;
    }

    /** Mean and standard deviation per feature. */
    public record NormalizerValues(float[] mean, float[] std) {}

    public Manifest withFiles(Map<String, String> newFiles) {
        return new Manifest(
                formatVersion,
                name,
                version,
                createdAt,
                spec,
                tokenizer,
                normalizer,
                training,
                metrics,
                provenance,
                newFiles,
                objective);
    }

    public Manifest withIdentity(String newName, long newVersion, String newCreatedAt) {
        return new Manifest(
                formatVersion,
                newName,
                newVersion,
                newCreatedAt,
                spec,
                tokenizer,
                normalizer,
                training,
                metrics,
                provenance,
                files,
                objective);
    }
}
