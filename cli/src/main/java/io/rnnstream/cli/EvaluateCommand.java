package io.rnnstream.cli;

import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.Json;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.DataFormat;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.eval.Evaluation;
import io.rnnstream.core.eval.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream evaluate}: loads and verifies an artifact and evaluates it on a data file
 * through the serving path, event by event, exactly as the streaming job would classify.
 */
@Command(
        name = "evaluate",
        sortOptions = false,
        description = {
            "Evaluates a model artifact on labelled data through the plain-Java serving step.",
            "",
            "The artifact's checksums are verified before it is used. Prints accuracy, macro-F1,"
                    + " per-class scores and the confusion matrix."
        })
final class EvaluateCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model artifact directory.")
    Path model;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "Labelled data (.ts, .jsonl, or a VADER ground-truth file).")
    Path data;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description =
                    "ts, vader or jsonl; by default told from the name (.ts, .jsonl) or, for VADER,"
                            + " the first line; a file it cannot tell is refused.")
    DataFormat format;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Also write the evaluation, model identity and data file as JSON.")
    Path report;

    @Override
    public Integer call() throws IOException {
        // A usage error is reported before anything is loaded.
        DataFormat dataFormat = DataFiles.format(data, format, "--data");
        if (!Files.isDirectory(model)) {
            throw new CliFailure(
                    "model "
                            + model
                            + (Files.exists(model)
                                    ? " is not an artifact directory"
                                    : " does not exist"));
        }
        ModelArtifact artifact = ModelArtifact.load(new DirectorySource(model), null);
        Dataset dataset = DataFiles.read(data, dataFormat);
        DataFiles.checkCompatible(artifact.manifest().spec(), "model " + model, dataset, data);
        Evaluation evaluation;
        try {
            evaluation = Evaluator.evaluate(artifact.requireClassifier(model.toString()), dataset);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(
                    "cannot evaluate " + model + " on " + data + ": " + e.getMessage());
        }

        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "model %s version %d (manifest sha256 %s)%ndata %s (%s)%n%n%s",
                artifact.manifest().name(),
                artifact.manifest().version(),
                artifact.manifestSha256(),
                data,
                dataFormat.name().toLowerCase(Locale.ROOT),
                evaluation.toTable());
        if (report != null) {
            writeReport(artifact, dataFormat, evaluation);
            out.printf("%nwrote report %s%n", report);
        }
        out.flush();
        return 0;
    }

    private void writeReport(ModelArtifact artifact, DataFormat dataFormat, Evaluation evaluation)
            throws IOException {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("model", artifact.manifest().name());
        content.put("version", artifact.manifest().version());
        content.put("manifestSha256", artifact.manifestSha256());
        content.put("modelDirectory", model.toString());
        content.put("data", data.toString());
        content.put("format", dataFormat.name().toLowerCase(Locale.ROOT));
        content.putAll(evaluation.toMap());
        Path target = report.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path staging = target.resolveSibling("." + target.getFileName() + ".partial");
        Files.write(staging, Json.STRICT.writeValueAsBytes(content));
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
