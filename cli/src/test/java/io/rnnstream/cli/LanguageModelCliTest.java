package io.rnnstream.cli;

import static io.rnnstream.cli.RnnstreamCliTest.rnnstream;
import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.cli.RnnstreamCliTest.Result;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.model.Objective;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-lm}, {@code generate} and {@code cells} in-process on the first 30,000 characters of
 * tiny Shakespeare, with a small model so that the test stays short.
 */
class LanguageModelCliTest {

    @TempDir static Path work;

    private static Path text;
    private static Path model;
    private static Result training;

    @BeforeAll
    static void trainSmallModel() throws IOException {
        String shakespeare =
                Files.readString(
                        TestData.path("tinyshakespeare/input.txt"), StandardCharsets.UTF_8);
        text = work.resolve("shakespeare.txt");
        Files.writeString(text, shakespeare.substring(0, 30_000), StandardCharsets.UTF_8);
        model = work.resolve("models/bard/1");
        training =
                rnnstream(
                        "train-lm",
                        "--data",
                        text.toString(),
                        "--hidden",
                        "32",
                        "--tbptt",
                        "50",
                        "--batch",
                        "8",
                        "--epochs",
                        "2",
                        "--name",
                        "bard",
                        "--no-progress",
                        "--out",
                        model.toString());
    }

    @Test
    void trainLmWritesALanguageModelAndReportsTheValidationLoss() throws IOException {
        assertThat(training.exitCode()).as(training.err()).isZero();
        assertThat(training.out())
                .contains("30000 characters (27000 training, 3000 validation)")
                .containsPattern("best epoch \\d of 2: validation \\d\\.\\d{4} nats/char")
                .contains("sample (temperature 0.8, seed 42):")
                .contains("wrote " + model);
        assertThat(training.err()).contains("epoch 1/2: train").contains("epoch 2/2: train");
        ModelArtifact artifact = ModelArtifact.load(new DirectorySource(model), null);
        assertThat(artifact.objective()).isEqualTo(Objective.NEXT_TOKEN);
        assertThat(artifact.manifest().name()).isEqualTo("bard");
        assertThat((double) artifact.manifest().metrics().get("validationNatsPerSymbol"))
                .as("below a uniform guess over the alphabet")
                .isLessThan(Math.log(artifact.manifest().spec().numClasses()));
    }

    @Test
    void theSameSeedGeneratesTheSameTextAndAnotherSeedOtherText() {
        Result first = generate("--seed", "7");
        Result again = generate("--seed", "7");
        Result other = generate("--seed", "8");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("ROMEO:").hasSize("ROMEO:".length() + 200 + 1);
        assertThat(again.out()).isEqualTo(first.out());
        assertThat(other.out()).isNotEqualTo(first.out());
    }

    @Test
    void temperatureZeroIsGreedyWhateverTheSeed() {
        assertThat(generate("--temperature", "0", "--seed", "1").out())
                .isEqualTo(generate("--temperature", "0", "--seed", "2").out());
    }

    @Test
    void aPrimeWithACharacterOutsideTheAlphabetFailsNamingIt() {
        Result result = rnnstream("generate", "--model", model.toString(), "--prime", "ROMEO: ~");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("--prime: the prime line 1 column 8: character '~' (U+007E)");
    }

    @Test
    void aClassifierIsRefusedByGenerate() throws IOException {
        Path classifier = work.resolve("models/motions/1");
        if (!Files.exists(classifier)) {
            Path data = work.resolve("motions.jsonl");
            io.rnnstream.core.data.JsonlWriter.write(
                    TestData.slice(
                            io.rnnstream.core.data.TsReader.read(
                                    TestData.path("basicmotions/BasicMotions_TRAIN.ts")),
                            2),
                    data);
            assertThat(
                            rnnstream(
                                            "train",
                                            "--data",
                                            data.toString(),
                                            "--hidden",
                                            "4",
                                            "--epochs",
                                            "1",
                                            "--no-progress",
                                            "--out",
                                            classifier.toString())
                                    .exitCode())
                    .isZero();
        }

        Result result = rnnstream("generate", "--model", classifier.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains(
                        "is a classification model, where a next-token language model is expected");
    }

    @Test
    void cellsRanksUnitsPerPropertyAndWritesAPageWithoutScripts() throws IOException {
        Path page = work.resolve("cells.html");

        Result result =
                rnnstream(
                        "cells",
                        "--model",
                        model.toString(),
                        "--data",
                        text.toString(),
                        "--max-chars",
                        "5000",
                        "--unit",
                        "L0.c3",
                        "--out",
                        page.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .containsPattern("position in the line\\s+L0\\.[hc]\\d+\\s+r = [+-]0\\.\\d{3}")
                .contains("inside a comment       constant in this text");
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertThat(html)
                .contains("<table>")
                .contains("class=\"legend\"")
                .contains("<h3>unit L0.c3")
                .doesNotContain("<script");
        assertThat(html.split("<span style=\"background:#", -1).length - 1)
                .as("one coloured span per character per panel")
                .isGreaterThanOrEqualTo(2 * 2000);
    }

    @Test
    void cellsRefusesAUnitTheModelDoesNotHave() {
        Result result =
                rnnstream(
                        "cells",
                        "--model",
                        model.toString(),
                        "--data",
                        text.toString(),
                        "--unit",
                        "L3.h0",
                        "--out",
                        work.resolve("never.html").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--unit L3.h0 is not a unit of this model");
    }

    private static Result generate(String... options) {
        String[] args = new String[6 + options.length];
        args[0] = "generate";
        args[1] = "--model";
        args[2] = model.toString();
        args[3] = "--prime";
        args[4] = "ROMEO:";
        args[5] = "--length=200";
        System.arraycopy(options, 0, args, 6, options.length);
        return rnnstream(args);
    }
}
