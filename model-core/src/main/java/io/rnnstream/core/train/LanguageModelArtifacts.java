package io.rnnstream.core.train;

import io.rnnstream.core.artifact.ArtifactWriter;
import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.Objective;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a trained language model ({@link NextTokenTrainer.Result}) into the same verified artifact
 * classifiers use, with the objective {@link Objective#NEXT_TOKEN} in its manifest: the symbols are
 * the spec's labels, a character model stores the identity normalizer of its one-hot input, a word
 * model its vocabulary.
 */
public final class LanguageModelArtifacts {

    private LanguageModelArtifacts() {}

    /**
     * The manifest for {@code result}. Its metrics hold the validation loss in nats and bits per
     * symbol, the best epoch, epochs run, tokens and seconds, followed by {@code extraMetrics}.
     */
    public static Manifest manifest(
            NextTokenTrainer.Result result,
            String name,
            long version,
            ArtifactFactory.Provenance provenance,
            Map<String, Object> extraMetrics) {
        LanguageModel model = result.languageModel();
        NextTokenTrainer.Epoch best = result.bestEpoch();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validationNatsPerSymbol", best.validationLoss());
        metrics.put("validationBitsPerSymbol", best.validationBitsPerToken());
        metrics.put("bestEpoch", best.epoch());
        metrics.put("epochsRun", result.history().size());
        metrics.put("trainSeconds", result.trainSeconds());
        metrics.put("trainTokens", result.trainTokens());
        metrics.put("validationTokens", result.validationTokens());
        metrics.putAll(extraMetrics);
        boolean tokens = result.spec().inputKind() == InputKind.TOKENS;
        return new Manifest(
                Manifest.FORMAT_VERSION,
                name,
                version,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                result.spec(),
                tokens ? Tokenizer.NAME : null,
                tokens
                        ? null
                        : new Manifest.NormalizerValues(
                                model.network().normalizer().mean(),
                                model.network().normalizer().std()),
                result.options(),
                metrics,
                ArtifactFactory.origin(provenance, result.options().seed()),
                Map.of(),
                Objective.NEXT_TOKEN);
    }

    /**
     * Writes the artifact directory {@code target} (which must not exist).
     *
     * @return the SHA-256 of the written {@code manifest.json}
     */
    public static String write(Path target, NextTokenTrainer.Result result, Manifest manifest)
            throws IOException {
        return ArtifactWriter.write(
                target,
                manifest,
                result.languageModel().network(),
                NetworkStore.toFiles(result.network()));
    }
}
