package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.LanguageModelArtifacts;
import io.rnnstream.core.train.NextTokenTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One language-model training run of {@link LanguageModelSuite}, in its own JVM: the PyTorch
 * reference's recipe (one-hot characters, LSTM, windows of 100 over 32 streams, Adam 2e-3, gradient
 * norm clipped at 5, no weight decay) for a fixed number of epochs on the text's first 90%,
 * validated on the rest after each; then a sample primed with a text. Prints one JSON object.
 *
 * <p>Arguments: {@code --text FILE [--chars N] [--hidden N] [--epochs N] [--seed N] [--prime TEXT]
 * [--sample-length N] [--artifact DIR]}.
 */
public final class LanguageModelRun {

    static final int WINDOW = 100;
    static final int STREAMS = 32;

    private LanguageModelRun() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = Arguments.parse(args);
        String text = Files.readString(Path.of(options.get("text")), StandardCharsets.UTF_8);
        int chars = Integer.parseInt(options.getOrDefault("chars", "0"));
        if (chars > 0 && chars < text.length()) {
            text = text.substring(0, chars);
        }
        int hidden = Integer.parseInt(options.getOrDefault("hidden", "256"));
        int epochs = Integer.parseInt(options.getOrDefault("epochs", "2"));
        Alphabet alphabet = Alphabet.of(text);
        int[] ids = alphabet.encode(text, options.get("text"));
        int split = (int) (ids.length * 0.9);
        TrainingOptions recipe =
                NextTokenTrainer.defaultOptions().toBuilder()
                        .hiddenSize(hidden)
                        .tbpttLength(WINDOW)
                        .batchSize(STREAMS)
                        .maxEpochs(epochs)
                        .patience(epochs)
                        .seed(Long.parseLong(options.getOrDefault("seed", "42")))
                        .build();
        NextTokenTrainer.Result result =
                NextTokenTrainer.train(
                        Arrays.copyOf(ids, split),
                        Arrays.copyOfRange(ids, split, ids.length),
                        alphabet.symbols(),
                        InputKind.FEATURES,
                        recipe,
                        0,
                        null);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("framework", "rnnstream (DL4J/ND4J)");
        out.put("hidden", hidden);
        out.put("window", WINDOW);
        out.put("streams", STREAMS);
        out.put("vocabulary", alphabet.size());
        out.put("trainCharacters", split);
        out.put("validationCharacters", ids.length - split);
        List<Map<String, Object>> perEpoch = new ArrayList<>();
        double seconds = 0;
        long updates = 0;
        for (NextTokenTrainer.Epoch epoch : result.history()) {
            double epochSeconds =
                    epoch.updates() * (double) WINDOW * STREAMS / epoch.tokensPerSecond();
            seconds += epochSeconds;
            updates += epoch.updates();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", epoch.epoch());
            row.put("updates", epoch.updates());
            row.put("validationNats", epoch.validationLoss());
            row.put("validationBits", epoch.validationBitsPerToken());
            row.put("seconds", epochSeconds);
            perEpoch.add(row);
        }
        out.put("epochs", perEpoch);
        out.put("seconds", seconds);
        out.put("charactersPerSecond", updates * (double) WINDOW * STREAMS / seconds);
        String prime = options.getOrDefault("prime", "ROMEO:");
        int sampleLength = Integer.parseInt(options.getOrDefault("sample-length", "500"));
        out.put("samplePrime", prime);
        out.put("sampleTemperature", 0.8);
        out.put(
                "sample",
                prime
                        + new TextGenerator(result.languageModel())
                                .generate(prime, sampleLength, new TokenSampler(0.8, 0, 42)));
        if (options.containsKey("artifact")) {
            Path artifact = Path.of(options.get("artifact"));
            LanguageModelArtifacts.write(
                    artifact,
                    result,
                    LanguageModelArtifacts.manifest(
                            result,
                            "bench-lm",
                            1,
                            new ArtifactFactory.Provenance(
                                    options.get("text"), "text-characters", null, "bench", null),
                            Map.of()));
            out.put("artifact", artifact.toString());
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }
}
