package io.rnnstream.cli;

import io.rnnstream.cells.CellsFigures;
import io.rnnstream.core.inspect.CellActivations;
import io.rnnstream.core.inspect.TextProperty;
import io.rnnstream.core.inspect.UnitScores;
import io.rnnstream.core.serving.LanguageModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream cells}: runs a character language model over a text, records every hidden unit
 * per character, finds the units that track simple properties of the text, and writes an HTML page
 * with the text coloured by those units.
 */
@Command(
        name = "cells",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {
            "Finds the hidden units of a character language model that track properties of a"
                    + " text (inside a quotation, position in the line, bracket and brace depth,"
                    + " indentation, inside a comment) and renders the text coloured by them.",
        })
final class CellsCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "A character model's artifact directory.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "UTF-8 text.")
    Path data;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The HTML page to write.")
    Path out;

    @Option(
            names = "--unit",
            paramLabel = "UNIT",
            description =
                    "Also show this unit, as L<layer>.h<index> or L<layer>.c<index>; repeatable.")
    List<String> extraUnits = new ArrayList<>();

    @Option(
            names = "--max-chars",
            paramLabel = "N",
            defaultValue = "20000",
            description =
                    "Read at most this many characters of --data (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Option(
            names = "--show",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Characters coloured per unit (default: ${DEFAULT-VALUE}).")
    int show;

    @Option(
            names = "--top",
            paramLabel = "N",
            defaultValue = "3",
            description = "Units listed per property (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() throws IOException {
        if (maxChars < 2 || show < 1 || top < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--max-chars must be >= 2, --show and --top >= 1; got "
                            + maxChars
                            + ", "
                            + show
                            + ", "
                            + top);
        }
        LanguageModel languageModel = GenerateCommand.load(model);
        if (languageModel.unit() != LanguageModel.Unit.CHARACTER) {
            throw new CliFailure(
                    "--model "
                            + model
                            + " is a word model; cells scores character models, whose steps"
                            + " are the text's characters");
        }
        String text = TrainLmCommand.readText(data);
        if (text.codePointCount(0, text.length()) > maxChars) {
            text = text.substring(0, text.offsetByCodePoints(0, maxChars));
        }
        int[] ids;
        try {
            ids = languageModel.encode(text, data.toString());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage());
        }
        CellActivations activations = CellActivations.record(languageModel, ids);
        Map<TextProperty, UnitScores.PropertyScores> scores =
                UnitScores.rank(activations, text, TextProperty.all(), top);

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "%s over %d characters of %s (%d units)%n",
                model,
                ids.length,
                data,
                activations.unitCount());
        for (UnitScores.PropertyScores property : scores.values()) {
            UnitScores.Score best = property.best();
            if (best == null) {
                stdout.printf("  %-22s constant in this text%n", property.property().description());
            } else {
                stdout.printf(
                        Locale.ROOT,
                        "  %-22s %-8s r = %+.3f%n",
                        property.property().description(),
                        best.label().label(),
                        best.correlation());
            }
        }
        List<CellsFigures.Choice> panels = new ArrayList<>(CellsFigures.bestUnits(scores));
        for (String label : extraUnits) {
            panels.add(new CellsFigures.Choice("unit " + label, unitIndex(activations, label)));
        }
        String html =
                CellsReport.render(
                        "Hidden cells of " + model.getFileName(),
                        String.format(
                                Locale.ROOT,
                                "%s, %d layer(s) of %d units, over the first %d characters of %s.",
                                languageModel.spec().cell().name(),
                                languageModel.spec().layers(),
                                languageModel.spec().hiddenSize(),
                                ids.length,
                                data.getFileName()),
                        CellsFigures.of(text, show, activations, scores, panels));
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, html, StandardCharsets.UTF_8);
        stdout.printf("wrote %s%n", out);
        stdout.flush();
        return 0;
    }

    private int unitIndex(CellActivations activations, String label) {
        for (int u = 0; u < activations.unitCount(); u++) {
            if (activations.unit(u).label().equals(label)) {
                return u;
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--unit "
                        + label
                        + " is not a unit of this model; units run from L0.h0 to "
                        + activations.unit(activations.unitCount() - 1).label());
    }
}
