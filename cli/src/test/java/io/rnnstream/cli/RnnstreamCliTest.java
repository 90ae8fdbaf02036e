package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.Json;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.JsonlWriter;
import io.rnnstream.core.data.TsReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the {@code rnnstream} command in-process on a small slice of BasicMotions. */
class RnnstreamCliTest {

    @TempDir static Path work;

    private static Path trainFile;
    private static Path testFile;
    private static Path model;
    private static Result training;

    /** What one run of the command line printed and returned. */
    record Result(int exitCode, String out, String err) {}

    static Result rnnstream(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Rnnstream.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainTinyModel() throws IOException {
        Dataset train = TsReader.read(TestData.path("basicmotions/BasicMotions_TRAIN.ts"));
        Dataset test = TsReader.read(TestData.path("basicmotions/BasicMotions_TEST.ts"));
        trainFile = work.resolve("motions-train.jsonl");
        testFile = work.resolve("motions-test.jsonl");
        JsonlWriter.write(TestData.slice(train, 4), trainFile);
        JsonlWriter.write(TestData.slice(test, 2), testFile);
        model = work.resolve("models/motions/1");
        training =
                rnnstream(
                        "train",
                        "--data",
                        trainFile.toString(),
                        "--test",
                        testFile.toString(),
                        "--hidden",
                        "8",
                        "--epochs",
                        "3",
                        "--patience",
                        "3",
                        "--name",
                        "motions",
                        "--no-progress",
                        "--out",
                        model.toString());
    }

    @Test
    void trainWritesAVerifiedArtifactAndPrintsTheTestEvaluation() throws IOException {
        assertThat(training.exitCode()).as(training.err()).isZero();
        assertThat(training.out())
                .contains("training time", "best epoch", "validation accuracy")
                .contains("test evaluation", "macro-F1", "confusion");
        assertThat(model.resolve("manifest.json")).exists();
        assertThat(model.resolve("network.json")).exists();
        JsonNode manifest = Json.STRICT.readTree(model.resolve("manifest.json").toFile());
        assertThat(manifest.get("name").asText()).isEqualTo("motions");
        assertThat(manifest.at("/metrics/testSequences").asLong()).isEqualTo(8);
        assertThat(manifest.at("/metrics/epochsRun").asInt()).isBetween(1, 3);
        assertThat(manifest.at("/provenance/dl4jVersion").asText()).isEqualTo("1.0.0-M2.1");
        assertThat(manifest.at("/provenance/dataFormat").asText()).isEqualTo("jsonl");
    }

    @Test
    void evaluateWritesAReportThatNamesModelAndData() throws IOException {
        Path report = work.resolve("reports/motions.json");
        Result result =
                rnnstream(
                        "evaluate",
                        "--model",
                        model.toString(),
                        "--data",
                        testFile.toString(),
                        "--report",
                        report.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("accuracy", "macro-F1", "confusion");
        JsonNode json = Json.STRICT.readTree(report.toFile());
        String manifestSha =
                Files.readString(model.resolve("manifest.sha256"), StandardCharsets.US_ASCII)
                        .strip();
        assertThat(json.get("model").asText()).isEqualTo("motions");
        assertThat(json.get("version").asLong()).isEqualTo(1);
        assertThat(json.get("manifestSha256").asText()).isEqualTo(manifestSha);
        assertThat(json.get("data").asText()).isEqualTo(testFile.toString());
        assertThat(json.get("sequences").asLong()).isEqualTo(8);
        assertThat(json.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("macroF1").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("labels")).hasSize(4);
        assertThat(json.get("confusion")).hasSize(4);
    }

    @Test
    void aMalformedDataFileFailsWithFileAndLineAndNoStackTrace() throws IOException {
        Path bad = work.resolve("bad.jsonl");
        Files.writeString(
                bad,
                "{\"features\": [[1.0, 2.0]], \"label\": \"a\"}\n"
                        + "{\"features\": [[1.0, 2.0]]}\n");

        Result result =
                rnnstream(
                        "train",
                        "--data",
                        bad.toString(),
                        "--no-progress",
                        "--out",
                        work.resolve("models/bad/1").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("rnnstream: ").contains("bad.jsonl:2: label");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(work.resolve("models/bad")).doesNotExist();
    }

    @Test
    void aTestFileOfAnotherShapeFailsBeforeTraining() throws IOException {
        Path other = work.resolve("two-features.jsonl");
        Files.writeString(other, "{\"features\": [[1.0, 2.0]], \"label\": \"Walking\"}\n");

        Result result =
                rnnstream(
                        "train",
                        "--data",
                        trainFile.toString(),
                        "--test",
                        other.toString(),
                        "--no-progress",
                        "--out",
                        work.resolve("models/other/1").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("does not hold the same kind of input");
        assertThat(result.out()).doesNotContain("training time");
    }

    @Test
    void withoutATerminalTrainingPrintsOneLinePerEpochInsteadOfABar() throws IOException {
        assertThat(System.console()).as("tests run without a terminal").isNull();
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        Result result;
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // No --no-progress: the missing terminal alone turns the bar off.
            result =
                    rnnstream(
                            "train",
                            "--data",
                            trainFile.toString(),
                            "--hidden",
                            "4",
                            "--epochs",
                            "2",
                            "--patience",
                            "2",
                            "--name",
                            "lines",
                            "--out",
                            work.resolve("models/lines/1").toString());
        } finally {
            System.setErr(stderr);
        }

        assertThat(result.exitCode()).as(result.err()).isZero();
        String progress = captured.toString(StandardCharsets.UTF_8);
        assertThat(progress).contains("epoch 1/2: loss ").doesNotContain("\r");
        assertThat(progress.lines().filter(line -> line.startsWith("epoch ")).count())
                .isBetween(1L, 2L);
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Result result =
                rnnstream(
                        "evaluate",
                        "--verbose",
                        "--model",
                        work.resolve("no-such-model").toString(),
                        "--data",
                        testFile.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("rnnstream: model ").contains("does not exist");
        assertThat(result.err()).contains("\tat io.rnnstream.cli.");
    }

    @Test
    void aTamperedArtifactIsRefused() throws IOException {
        Path copy = work.resolve("models/tampered/1");
        Files.createDirectories(copy);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        byte[] weights = Files.readAllBytes(copy.resolve("serving.bin"));
        weights[weights.length - 1] ^= 1;
        Files.write(copy.resolve("serving.bin"), weights);

        Result result =
                rnnstream("evaluate", "--model", copy.toString(), "--data", testFile.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("serving.bin has SHA-256").doesNotContain("\tat ");
    }

    @Test
    void anOutOfRangeOptionIsAUsageError() {
        Result result =
                rnnstream(
                        "train",
                        "--data",
                        trainFile.toString(),
                        "--hidden",
                        "0",
                        "--out",
                        work.resolve("models/zero/1").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("rnnstream: --hidden must be in [1, 8192], was 0")
                .doesNotContain("hiddenSize");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Result result = rnnstream("evaluate", "--model", "x", "--data", "y", "--modle", "z");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("rnnstream: ").contains("--modle");
    }

    @Test
    void helpListsTheDefaultsOfTheTrainingOptions() {
        Result result = rnnstream("train", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("--supervision", "(default: ", "--tbptt-back");
    }

    @Test
    void retrainNamesABadSettingAndIsAUsageError() {
        Result result = retrain("--labelled.from", "last tuesday");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("labelled.from").contains("ISO-8601");
        assertThat(rnnstream("retrain", "--model.nmae", "motions").err())
                .contains("unknown setting 'model.nmae'");
    }

    @Test
    void firstVersionIsRefusedWhenAnInitialVersionIsConfigured() {
        Result result =
                retrain(
                        "--first-version",
                        "--model.initial.uri",
                        work.resolve("motions/1").toUri().toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .contains("gate.first-version: model.initial.uri is set")
                .contains("remove one of the two");
    }

    /** {@code rnnstream retrain} with the required settings and {@code more}. */
    private Result retrain(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "retrain",
                                "--bootstrap.servers",
                                "localhost:9092",
                                "--model.name",
                                "motions",
                                "--model.store",
                                work.toString()));
        args.addAll(List.of(more));
        return rnnstream(args.toArray(String[]::new));
    }
}
