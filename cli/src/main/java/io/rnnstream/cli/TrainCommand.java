package io.rnnstream.cli;

import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.data.DataFormat;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.JsonlWriter;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.eval.Evaluation;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream train}: reads a data file, trains a classifier with early stopping, evaluates it
 * on a test file or a stratified hold-out, and writes a verified artifact whose manifest records
 * the options, the data and the figures.
 */
@Command(
        name = "train",
        sortOptions = false,
        defaultValueProvider = TrainCommand.Defaults.class,
        description = {
            "Trains a sequence classifier and writes a model artifact.",
            "",
            "Each training option shows its default below. With --split (and for VADER"
                    + " data without --test, where 0.2 is used) a stratified hold-out is carved"
                    + " from --data with --seed, kept out of training, evaluated at the end, and"
                    + " written as JSON Lines so that 'rnnstream evaluate' can be run on exactly"
                    + " that split."
        })
final class TrainCommand implements Callable<Integer> {

    /** Hold-out share used for VADER data when neither --test nor --split is given. */
    static final double VADER_HOLDOUT = 0.2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    // --version names the model version here, so the standard -V/--version mixin is not used.
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "Training data (.ts, .jsonl, or a VADER ground-truth file).")
    Path data;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description =
                    "ts, vader or jsonl; by default told from the name (.ts, .jsonl) or, for VADER,"
                            + " the first line; a file it cannot tell is refused.")
    DataFormat format;

    @Option(
            names = "--test",
            paramLabel = "FILE",
            description = "Test data, same format as --data, evaluated after training.")
    Path test;

    @Option(
            names = "--split",
            paramLabel = "FRACTION",
            description = "Hold out this stratified share of --data (0 < x < 1).")
    Double split;

    @Option(
            names = "--holdout-out",
            paramLabel = "FILE",
            description =
                    "Where to write the hold-out as JSON Lines (default: next to --out, named"
                            + " <name>-holdout.jsonl).")
    Path holdoutOut;

    @Option(
            names = "--cell",
            paramLabel = "CELL",
            description = "lstm or elman (default: ${DEFAULT-VALUE}).")
    CellType cell;

    @Option(
            names = "--layers",
            paramLabel = "N",
            description = "Stacked recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--hidden",
            paramLabel = "N",
            description = "Units per recurrent layer (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(
            names = "--embedding",
            paramLabel = "N",
            description = "Embedding width for token input (default: ${DEFAULT-VALUE}).")
    int embedding;

    @Option(
            names = "--tbptt",
            paramLabel = "STEPS",
            description =
                    "Truncated-BPTT window in steps; 0 chooses full BPTT while a batch's"
                            + " activations fit in 256 MiB, the longest window that fits beyond"
                            + " (default: ${DEFAULT-VALUE}).")
    int tbptt;

    @Option(
            names = "--tbptt-back",
            paramLabel = "STEPS",
            description =
                    "Steps at the end of each window that gradients flow through, 0 for the"
                            + " whole window (default: ${DEFAULT-VALUE}).")
    int tbpttBack;

    @Option(
            names = "--supervision",
            paramLabel = "WHERE",
            converter = SupervisionConverter.class,
            completionCandidates = SupervisionConverter.Names.class,
            description = "Loss at the 'last' step or at 'every' step (default: ${DEFAULT-VALUE}).")
    Supervision supervision;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--patience",
            paramLabel = "N",
            description =
                    "Stop after this many epochs without a better validation score (default:"
                            + " ${DEFAULT-VALUE}).")
    int patience;

    @Option(
            names = "--patience-updates",
            paramLabel = "N",
            description =
                    "...and at least this many optimizer updates without a better validation"
                            + " score (default: ${DEFAULT-VALUE}).")
    int patienceUpdates;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Sequences per update (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--clip",
            paramLabel = "X",
            description =
                    "Element-wise gradient clipping, 0 to disable (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description =
                    "Seed for initialization, splits and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Model name (default: from the data file name).")
    String name;

    @Option(
            names = "--version",
            paramLabel = "N",
            description = "Model version (default: ${DEFAULT-VALUE}).")
    long version;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Artifact directory to create; must not exist.")
    Path out;

    @Option(
            names = "--no-progress",
            description = "Log one line per epoch instead of drawing a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        TrainingOptions options = options();
        if (split != null && !(split > 0 && split < 1)) {
            throw usage("--split must be between 0 and 1 (exclusive), was " + split);
        }
        String modelName = ArtifactTarget.modelName(spec.commandLine(), name, data, version, out);

        DataFormat dataFormat = DataFiles.format(data, format, "--data");
        Dataset all = DataFiles.read(data, dataFormat);
        Dataset testSet = test == null ? null : DataFiles.read(test, dataFormat);
        if (testSet != null) {
            // Checked before training, which may take a long time.
            if (testSet.inputKind() != all.inputKind()
                    || testSet.featureDimension() != all.featureDimension()) {
                throw new CliFailure(test + " does not hold the same kind of input as " + data);
            }
            if (!all.labels().containsAll(testSet.labels())) {
                throw new CliFailure(
                        test
                                + " has labels "
                                + testSet.labels()
                                + " that "
                                + data
                                + " lacks: "
                                + all.labels());
            }
        }

        Double holdoutShare = split;
        if (holdoutShare == null && dataFormat == DataFormat.VADER && test == null) {
            holdoutShare = VADER_HOLDOUT;
        }
        Dataset trainSet = all;
        Dataset holdout = null;
        Path holdoutFile = null;
        if (holdoutShare != null) {
            Splits.Split parts = Splits.stratified(all, holdoutShare, options.seed());
            trainSet = parts.train();
            holdout = parts.holdout();
            holdoutFile = holdoutOut != null ? holdoutOut : defaultHoldoutFile(modelName);
        }

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "training %s on %d sequences of %s (%s)%s%n",
                modelName,
                trainSet.size(),
                data,
                dataFormat.name().toLowerCase(Locale.ROOT),
                holdout == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", %d held out (%.0f%%, seed %d)",
                                holdout.size(),
                                holdoutShare * 100,
                                options.seed()));
        stdout.flush();

        TrainedModel model;
        try (EpochProgress progress = new EpochProgress(options.maxEpochs(), !noProgress)) {
            model = SequenceTrainer.train(trainSet, options, progress);
            progress.finish(model.history().size());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(
                    "cannot train on " + data + ": " + OptionNames.train(e.getMessage()));
        }

        Map<String, Object> extraMetrics = new LinkedHashMap<>();
        stdout.printf(
                Locale.ROOT,
                "%ntraining time %.1f s, %d epochs, best epoch %d, validation accuracy %.4f"
                        + " (%d sequences)%n",
                model.trainSeconds(),
                model.history().size(),
                model.bestEpoch(),
                model.validationAccuracy(),
                model.validationSequences());
        if (holdout != null) {
            Evaluation evaluation = Evaluator.evaluate(model.classifier(), holdout);
            putEvaluation(extraMetrics, "holdout", evaluation);
            extraMetrics.put("holdoutShare", holdoutShare);
            stdout.printf("%nhold-out evaluation (%s)%n%s", holdoutFile, evaluation.toTable());
        }
        if (testSet != null) {
            Evaluation evaluation = Evaluator.evaluate(model.classifier(), testSet);
            putEvaluation(extraMetrics, "test", evaluation);
            extraMetrics.put("testData", test.toString());
            stdout.printf("%ntest evaluation (%s)%n%s", test, evaluation.toTable());
        }

        Manifest manifest =
                ArtifactFactory.manifest(
                        model,
                        modelName,
                        version,
                        new ArtifactFactory.Provenance(
                                data.toString(),
                                dataFormat.name().toLowerCase(Locale.ROOT),
                                DataFiles.sha256(data),
                                Rnnstream.version(),
                                null),
                        extraMetrics);
        if (holdout != null) {
            JsonlWriter.write(holdout, holdoutFile);
        }
        String sha = ArtifactFactory.write(out, model, manifest);
        stdout.printf("%nwrote %s (manifest sha256 %s)%n", out, sha);
        if (holdoutFile != null) {
            stdout.printf("wrote hold-out %s%n", holdoutFile);
        }
        stdout.flush();
        return 0;
    }

    private TrainingOptions options() {
        try {
            return TrainingOptions.defaults().toBuilder()
                    .cell(cell)
                    .layers(layers)
                    .hiddenSize(hidden)
                    .embeddingSize(embedding)
                    .supervision(supervision)
                    .tbpttLength(tbptt)
                    .tbpttBackLength(tbpttBack)
                    .batchSize(batch)
                    .learningRate(learningRate)
                    .maxEpochs(epochs)
                    .patience(patience)
                    .patienceUpdates(patienceUpdates)
                    .gradientClip(clip)
                    .seed(seed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw usage(OptionNames.train(e.getMessage()));
        }
    }

    private Path defaultHoldoutFile(String modelName) {
        Path parent = out.toAbsolutePath().getParent();
        return parent.resolve(modelName + "-holdout.jsonl");
    }

    private static void putEvaluation(
            Map<String, Object> metrics, String prefix, Evaluation evaluation) {
        metrics.put(prefix + "Accuracy", evaluation.accuracy());
        metrics.put(prefix + "MacroF1", evaluation.macroF1());
        metrics.put(prefix + "Sequences", evaluation.total());
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Shows and applies {@link TrainingOptions#defaults()} so help and behaviour agree. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (!(argSpec instanceof OptionSpec option)) {
                return null;
            }
            TrainingOptions d = TrainingOptions.defaults();
            return switch (option.longestName()) {
                case "--cell" -> d.cell().name().toLowerCase(Locale.ROOT);
                case "--layers" -> Integer.toString(d.layers());
                case "--hidden" -> Integer.toString(d.hiddenSize());
                case "--embedding" -> Integer.toString(d.embeddingSize());
                case "--tbptt" -> Integer.toString(d.tbpttLength());
                case "--tbptt-back" -> Integer.toString(d.tbpttBackLength());
                case "--supervision" -> SupervisionConverter.name(d.supervision());
                case "--epochs" -> Integer.toString(d.maxEpochs());
                case "--patience" -> Integer.toString(d.patience());
                case "--patience-updates" -> Integer.toString(d.patienceUpdates());
                case "--batch" -> Integer.toString(d.batchSize());
                case "--lr" -> Double.toString(d.learningRate());
                case "--clip" -> Double.toString(d.gradientClip());
                case "--seed" -> Long.toString(d.seed());
                case "--version" -> "1";
                default -> null;
            };
        }
    }

    /** {@code last} and {@code every} for {@link Supervision}. */
    static final class SupervisionConverter implements CommandLine.ITypeConverter<Supervision> {
        @Override
        public Supervision convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "last", "last_step", "last-step" -> Supervision.LAST_STEP;
                case "every", "every_step", "every-step" -> Supervision.EVERY_STEP;
                default ->
                        throw new CommandLine.TypeConversionException(
                                "expected 'last' or 'every', got '" + value + "'");
            };
        }

        static String name(Supervision supervision) {
            return supervision == Supervision.LAST_STEP ? "last" : "every";
        }

        /** Completion candidates. */
        static final class Names extends java.util.ArrayList<String> {
            Names() {
                super(java.util.List.of("last", "every"));
            }
        }
    }
}
