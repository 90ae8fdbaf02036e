package io.rnnstream.cli;

import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream generate}: primes a language model's state with a text, then samples from it one
 * symbol at a time, each fed back as the next input. Prints the prime followed by the sample.
 */
@Command(
        name = "generate",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Samples text from a language model written by 'rnnstream train-lm'.",
            "",
            "The same --seed gives the same text; --temperature 0 always takes the most likely"
                    + " next symbol."
        })
final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "The language model's artifact directory.")
    Path model;

    @Option(
            names = "--prime",
            paramLabel = "TEXT",
            defaultValue = "",
            description = "Text to run the model over before sampling (default: none).")
    String prime;

    @Option(
            names = "--length",
            paramLabel = "N",
            defaultValue = "500",
            description = "Symbols to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            defaultValue = "0.8",
            description =
                    "Below 1 sharpens the distribution, above 1 flattens it, 0 is greedy"
                            + " (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "0",
            description = "Draw only from the K most likely symbols, 0 for all (default: 0).")
    int topK;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of the draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (length < 0 || length > TextGenerator.MAX_LENGTH) {
            throw usage("--length must be in [0, " + TextGenerator.MAX_LENGTH + "], was " + length);
        }
        TokenSampler sampler;
        try {
            sampler = new TokenSampler(temperature, topK, seed);
        } catch (IllegalArgumentException e) {
            throw usage(
                    e.getMessage()
                            .replace("temperature", "--temperature")
                            .replace("top-k", "--top-k"));
        }
        LanguageModel languageModel = load(model);
        String generated;
        try {
            generated = new TextGenerator(languageModel).generate(prime, length, sampler);
        } catch (IllegalArgumentException e) {
            throw new CliFailure("--prime: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(prime);
        if (!prime.isEmpty() && !generated.isEmpty()) {
            out.print(languageModel.separator());
        }
        out.println(generated);
        out.flush();
        return 0;
    }

    /** The verified language model in {@code directory}, or a failure saying what is there. */
    static LanguageModel load(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new CliFailure("--model " + directory + " is not a model artifact directory");
        }
        ModelArtifact artifact = ModelArtifact.load(new DirectorySource(directory), null);
        return artifact.requireLanguageModel(directory.toString());
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
