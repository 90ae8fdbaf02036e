package io.rnnstream.cli;

import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.text.Vocabulary;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.LanguageModelArtifacts;
import io.rnnstream.core.train.NextTokenTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream train-lm}: trains a next-token language model on one text with stateful
 * truncated BPTT (the text's first part for training, the rest for validation, as char-rnn does),
 * and writes a verified artifact with the objective {@code next-token}.
 */
@Command(
        name = "train-lm",
        sortOptions = false,
        defaultValueProvider = TrainLmCommand.Defaults.class,
        description = {
            "Trains a character- or word-level language model and writes a model artifact.",
            "",
            "The text's first part trains, its last --validation share validates (nats and bits"
                    + " per symbol after every epoch; the best epoch is kept). Training cuts the"
                    + " training part into --batch parallel streams and reads them in windows of"
                    + " --tbptt steps, carrying each stream's state from window to window."
        })
final class TrainLmCommand implements Callable<Integer> {

    /** Characters of the sample printed after training. */
    private static final int SAMPLE_LENGTH = 300;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "The text to learn, UTF-8.")
    Path data;

    @Option(
            names = "--unit",
            paramLabel = "UNIT",
            description =
                    "char (one-hot characters, as char-rnn) or word (embedded word tokens)"
                            + " (default: ${DEFAULT-VALUE}).")
    String unit;

    @Option(
            names = "--validation",
            paramLabel = "FRACTION",
            description =
                    "Share at the text's end kept for validation (default: ${DEFAULT-VALUE}).")
    double validation;

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
            description = "Embedding width for --unit word (default: ${DEFAULT-VALUE}).")
    int embedding;

    @Option(
            names = "--tbptt",
            paramLabel = "STEPS",
            description = "Window length in steps (default: ${DEFAULT-VALUE}).")
    int tbptt;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Parallel streams per update (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--clip-norm",
            paramLabel = "X",
            description =
                    "Largest norm of the gradient of the mean loss per symbol, 0 for no"
                            + " clipping (default: ${DEFAULT-VALUE}).")
    double clipNorm;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--patience",
            paramLabel = "N",
            description =
                    "Stop after this many epochs without a better validation loss (default:"
                            + " ${DEFAULT-VALUE}).")
    int patience;

    @Option(
            names = "--max-updates",
            paramLabel = "N",
            description = "Stop after this many updates in all, 0 for no limit (default: 0).")
    long maxUpdates;

    @Option(
            names = "--min-count",
            paramLabel = "N",
            description =
                    "--unit word: a word needs this many occurrences to enter the vocabulary"
                            + " (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(
            names = "--max-vocabulary",
            paramLabel = "N",
            description = "--unit word: vocabulary size cap (default: ${DEFAULT-VALUE}).")
    int maxVocabulary;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Seed for initialization and the sample (default: ${DEFAULT-VALUE}).")
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
        boolean words = parseUnit();
        TrainingOptions options = options();
        if (!(validation > 0 && validation < 1)) {
            throw usage("--validation must be between 0 and 1 (exclusive), was " + validation);
        }
        if (maxUpdates < 0) {
            throw usage("--max-updates must be >= 0, was " + maxUpdates);
        }
        String modelName = ArtifactTarget.modelName(spec.commandLine(), name, data, version, out);

        String text = readText(data);
        List<String> symbols;
        int[] ids;
        if (words) {
            List<String> tokens = Tokenizer.tokenize(text);
            Vocabulary vocabulary =
                    Vocabulary.build(
                            List.of(tokens), options.minTokenCount(), options.maxVocabulary());
            symbols = vocabulary.tokens();
            ids = vocabulary.encode(tokens);
        } else {
            Alphabet alphabet = Alphabet.of(text);
            symbols = alphabet.symbols();
            ids = alphabet.encode(text, data.toString());
        }
        int split = (int) Math.round(ids.length * (1 - validation));
        int needed = 2 * options.batchSize() * (options.tbpttLength() + 1);
        if (split < needed || ids.length - split < 2 * (options.tbpttLength() + 1)) {
            throw new CliFailure(
                    String.format(
                            Locale.ROOT,
                            "%s has %d %s; --batch %d and --tbptt %d need at least %d for"
                                    + " training and %d for validation",
                            data,
                            ids.length,
                            words ? "words" : "characters",
                            options.batchSize(),
                            options.tbpttLength(),
                            needed,
                            2 * (options.tbpttLength() + 1)));
        }
        int[] train = Arrays.copyOf(ids, split);
        int[] held = Arrays.copyOfRange(ids, split, ids.length);

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "%s: %d %s (%d training, %d validation), %d symbols; %s %dx%d, windows of %d"
                        + " over %d streams%n",
                data,
                ids.length,
                words ? "words" : "characters",
                train.length,
                held.length,
                symbols.size(),
                options.cell().name().toLowerCase(Locale.ROOT),
                options.layers(),
                options.hiddenSize(),
                options.tbpttLength(),
                options.batchSize());
        stdout.flush();

        NextTokenTrainer.Result result;
        try (LanguageModelProgress progress =
                new LanguageModelProgress(
                        options.maxEpochs(), showProgress(), spec.commandLine().getErr())) {
            result =
                    NextTokenTrainer.train(
                            train,
                            held,
                            symbols,
                            words ? InputKind.TOKENS : InputKind.FEATURES,
                            options,
                            maxUpdates,
                            progress);
        }
        NextTokenTrainer.Epoch best = result.bestEpoch();
        stdout.printf(
                Locale.ROOT,
                "best epoch %d of %d: validation %.4f nats/%s (%.4f bits), %.0f %ss/s%n",
                best.epoch(),
                result.history().size(),
                best.validationLoss(),
                words ? "word" : "char",
                best.validationBitsPerToken(),
                best.tokensPerSecond(),
                words ? "word" : "char");

        Manifest manifest =
                LanguageModelArtifacts.manifest(
                        result,
                        modelName,
                        version,
                        new ArtifactFactory.Provenance(
                                data.toString(),
                                words ? "text-words" : "text-characters",
                                DataFiles.sha256(data),
                                Rnnstream.version(),
                                null),
                        Map.of());
        String sha = LanguageModelArtifacts.write(out, result, manifest);
        String sample =
                new TextGenerator(result.languageModel())
                        .generate("", words ? 60 : SAMPLE_LENGTH, new TokenSampler(0.8, 0, seed));
        stdout.printf("%nsample (temperature 0.8, seed %d):%n%s%n", seed, sample);
        stdout.printf("%nwrote %s (manifest sha256 %s)%n", out, sha);
        stdout.flush();
        return 0;
    }

    /** Reads {@code file} as strict UTF-8, so a binary file is refused rather than learned. */
    static String readText(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CliFailure(file + " is not a readable file");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CliFailure(file + " is not UTF-8 text: " + e.getMessage());
        }
    }

    private boolean parseUnit() {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "char", "chars", "character" -> false;
            case "word", "words" -> true;
            default -> throw usage("--unit must be char or word, was '" + unit + "'");
        };
    }

    private boolean showProgress() {
        return !noProgress && System.console() != null;
    }

    private TrainingOptions options() {
        try {
            return NextTokenTrainer.defaultOptions().toBuilder()
                    .cell(cell)
                    .layers(layers)
                    .hiddenSize(hidden)
                    .embeddingSize(embedding)
                    .tbpttLength(tbptt)
                    .batchSize(batch)
                    .learningRate(learningRate)
                    .gradientNormClip(clipNorm)
                    .maxEpochs(epochs)
                    .patience(patience)
                    .minTokenCount(minCount)
                    .maxVocabulary(maxVocabulary)
                    .seed(seed)
                    .build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Shows and applies {@link NextTokenTrainer#defaultOptions()}. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (!(argSpec instanceof OptionSpec option)) {
                return null;
            }
            TrainingOptions d = NextTokenTrainer.defaultOptions();
            return switch (option.longestName()) {
                case "--unit" -> "char";
                case "--validation" -> "0.1";
                case "--cell" -> d.cell().name().toLowerCase(Locale.ROOT);
                case "--layers" -> Integer.toString(d.layers());
                case "--hidden" -> Integer.toString(d.hiddenSize());
                case "--embedding" -> Integer.toString(d.embeddingSize());
                case "--tbptt" -> Integer.toString(d.tbpttLength());
                case "--batch" -> Integer.toString(d.batchSize());
                case "--lr" -> Double.toString(d.learningRate());
                case "--clip-norm" -> Double.toString(d.gradientNormClip());
                case "--epochs" -> Integer.toString(d.maxEpochs());
                case "--patience" -> Integer.toString(d.patience());
                case "--min-count" -> Integer.toString(d.minTokenCount());
                case "--max-vocabulary" -> Integer.toString(d.maxVocabulary());
                case "--seed" -> Long.toString(d.seed());
                case "--version" -> "1";
                default -> null;
            };
        }
    }
}
