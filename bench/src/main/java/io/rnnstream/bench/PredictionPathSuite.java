package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;

/**
 * Runs {@link PredictionPathBenchmark} and writes {@code lm-path-<mode>.json} and {@code .md}: the
 * microseconds per event of the classifier and the language-model operator on the same word events,
 * and the language model's throughput relative to the classifier's, both from one run.
 *
 * <p>Arguments: {@code [--quick] [--out DIR]}.
 */
public final class PredictionPathSuite {

    private PredictionPathSuite() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        System.out.println("wrote " + run(options.containsKey("quick"), out));
    }

    static Path run(boolean quick, Path out) throws Exception {
        Path log = Files.createTempFile("rnnstream-prediction-path", ".log");
        ResultFiles result = ResultFiles.begin(quick);
        Map<String, Double> micros = new LinkedHashMap<>();
        for (RunResult run :
                new Runner(
                                JmhOptions.operatorRun(quick, log)
                                        .include(PredictionPathBenchmark.class.getName() + "\\.")
                                        .build())
                        .run()) {
            micros.put(run.getParams().getParam("path"), StepSuite.median(StepSuite.scores(run)));
        }
        result.put("keys", PredictionPathBenchmark.KEYS);
        result.put("vocabulary", PredictionPathBenchmark.WORDS);
        result.put("classifierUsPerEvent", micros.get("classifier"));
        result.put("languageModelUsPerEvent", micros.get("language-model"));
        result.put(
                "languageModelThroughputRelativeToClassifier",
                micros.get("classifier") / micros.get("language-model"));
        return result.write(out, "lm-path", PredictionPathSuite::render);
    }

    static String render(JsonNode result) {
        return String.format(
                Locale.ROOT,
                "# Language-model path against classifier path (%s run)%n%n"
                        + "%s One JMH run, medians of the measurement iterations; each"
                        + " operator alone on heap state, the same word events of %d keys"
                        + " (LSTM 64 over embeddings of 32, vocabulary %d).%n%n"
                        + "| path | µs per event |%n|---|---|%n"
                        + "| classifier (buffered for the watermark, keys stepped together) |"
                        + " %.2f |%n"
                        + "| language model (stepped on arrival, surprise and top 5 next) |"
                        + " %.2f |%n%n"
                        + "Language-model throughput relative to the classifier's: **%.2f**.%n",
                result.get("mode").asText(),
                ResultFiles.runLine(result),
                result.get("keys").asInt(),
                result.get("vocabulary").asInt(),
                result.get("classifierUsPerEvent").asDouble(),
                result.get("languageModelUsPerEvent").asDouble(),
                result.get("languageModelThroughputRelativeToClassifier").asDouble());
    }
}
