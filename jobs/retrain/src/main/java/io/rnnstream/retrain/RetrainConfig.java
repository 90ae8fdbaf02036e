package io.rnnstream.retrain;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.config.SettingsReference;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.topics.TopicSettings;
import io.rnnstream.stream.topics.TopicSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The retraining job's settings, from a properties file and/or {@code --key value} arguments. Keys
 * starting with {@code kafka.} go to every Kafka client without the prefix.
 *
 * @see #OPTIONS for every setting, its default and meaning
 */
public record RetrainConfig(
        String bootstrapServers,
        String labelledTopic,
        String modelsTopic,
        String modelName,
        String store,
        String initialModelUri,
        OffsetBound from,
        OffsetBound to,
        List<Path> dataFiles,
        List<Path> holdoutFiles,
        double holdoutFraction,
        GateMetric gateMetric,
        double gateMargin,
        double parityTolerance,
        int goldenSequences,
        int minSequences,
        int minHoldout,
        boolean firstVersion,
        boolean warmStart,
        TrainingOptions training,
        Path reportFile,
        boolean reportStore,
        int parallelism,
        ModelRole publishRole,
        TopicSettings topicSettings,
        Map<String, String> kafkaProperties) {

    /** The score the quality gate compares. */
    public enum GateMetric {
        ACCURACY,
        MACRO_F1;

        static GateMetric parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "accuracy" -> ACCURACY;
                case "macro-f1" -> MACRO_F1;
                default ->
                        throw new ConfigException(
                                "gate.metric: expected accuracy or macro-f1, got '" + text + "'");
            };
        }

        public String code() {
            return this == ACCURACY ? "accuracy" : "macro-f1";
        }
    }

    private static final TrainingOptions DEFAULTS = TrainingOptions.defaults();

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("bootstrap.servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers (required)");

    public static final ConfigOption<String> MODEL_NAME =
            ConfigOptions.key("model.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("name of the model to retrain (required)");

    public static final ConfigOption<String> MODEL_STORE =
            ConfigOptions.key("model.store")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "model store: a directory or Flink FileSystem URI; versions go to <store>/<name>/<version> (required)");

    public static final ConfigOption<String> TOPIC_LABELLED =
            ConfigOptions.key("topic.labelled")
                    .stringType()
                    .defaultValue("labelled-events")
                    .withDescription(
                            "topic of labelled events: the event format plus label on each sequence's last event");

    public static final ConfigOption<String> TOPIC_MODELS =
            ConfigOptions.key("topic.models")
                    .stringType()
                    .defaultValue("models")
                    .withDescription("model topic the streaming job listens to");

    public static final ConfigOption<String> MODEL_INITIAL_URI =
            ConfigOptions.key("model.initial.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "the version in service when none has been announced yet (the stream job's model.initial.uri)");

    public static final ConfigOption<String> LABELLED_FROM =
            ConfigOptions.key("labelled.from")
                    .stringType()
                    .defaultValue("remembered")
                    .withDescription(
                            "first labelled event to read: earliest, remembered (where the version in service stopped reading, else earliest), an ISO-8601 instant or epoch ms");

    public static final ConfigOption<String> LABELLED_TO =
            ConfigOptions.key("labelled.to")
                    .stringType()
                    .defaultValue("latest")
                    .withDescription(
                            "read up to: latest (the last committed record at start) or an ISO-8601 instant or epoch ms");

    public static final ConfigOption<String> DATA_FILES =
            ConfigOptions.key("data.files")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "comma-separated labelled data files (.ts, .jsonl, VADER .txt) added to the Kafka data");

    public static final ConfigOption<String> HOLDOUT_FILES =
            ConfigOptions.key("holdout.files")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "comma-separated files to evaluate both versions on; default: a stratified holdout.fraction of the data");

    public static final ConfigOption<Double> HOLDOUT_FRACTION =
            ConfigOptions.key("holdout.fraction")
                    .doubleType()
                    .defaultValue(0.2)
                    .withDescription("share of the data held out to compare the two versions");

    public static final ConfigOption<String> GATE_METRIC =
            ConfigOptions.key("gate.metric")
                    .stringType()
                    .defaultValue("accuracy")
                    .withDescription("accuracy or macro-f1");

    public static final ConfigOption<Double> GATE_MARGIN =
            ConfigOptions.key("gate.margin")
                    .doubleType()
                    .defaultValue(0.01)
                    .withDescription(
                            "publish only if the candidate scores at least the version in service minus this");

    public static final ConfigOption<Double> GATE_PARITY_TOLERANCE =
            ConfigOptions.key("gate.parity-tolerance")
                    .doubleType()
                    .defaultValue(1e-4)
                    .withDescription(
                            "largest allowed difference between served and DL4J probabilities on golden sequences");

    public static final ConfigOption<Integer> GATE_GOLDEN_SEQUENCES =
            ConfigOptions.key("gate.golden-sequences")
                    .intType()
                    .defaultValue(32)
                    .withDescription("held-out sequences used for the parity check");

    public static final ConfigOption<Integer> MIN_SEQUENCES =
            ConfigOptions.key("min.sequences")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "refuse to train on fewer usable labelled sequences than this (decision not-enough-data, nothing published)");

    /**
     * The default hold-out minimum: the standard error of an accuracy p on n sequences is
     * sqrt(p(1-p)/n); at p = 0.8 and n = 1600 it is 0.01, the default {@link #GATE_MARGIN}. With
     * fewer sequences the noise of one score alone exceeds the margin the gate compares with.
     */
    static final int DEFAULT_MIN_HOLDOUT = 1600;

    public static final ConfigOption<Integer> GATE_MIN_HOLDOUT =
            ConfigOptions.key("gate.min-holdout")
                    .intType()
                    .defaultValue(DEFAULT_MIN_HOLDOUT)
                    .withDescription(
                            "refuse to decide on fewer held-out sequences than this (decision"
                                    + " not-enough-data, nothing trained or published). The"
                                    + " default makes the standard error of an accuracy near"
                                    + " 0.8, sqrt(0.8*0.2/n), equal to the default gate.margin"
                                    + " 0.01; for another margin m, 0.16/m^2 keeps that"
                                    + " balance (m = 0.05: 64)");

    public static final ConfigOption<Boolean> GATE_FIRST_VERSION =
            ConfigOptions.key("gate.first-version")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "this run publishes the first version of model.name, without"
                                    + " comparison (rnnstream retrain --first-version); refused"
                                    + " when a version is announced, in the store or set as"
                                    + " model.initial.uri. Without it, a run that finds no"
                                    + " readable version in service stops with"
                                    + " rejected-no-baseline");

    public static final ConfigOption<String> PUBLISH_ROLE =
            ConfigOptions.key("publish.role")
                    .stringType()
                    .defaultValue("shadow")
                    .withDescription(
                            "role of a published version: shadow (runs beside the serving version on live traffic, evaluated against live labels and promoted on that evidence) or serving (serves new sequences at once)");

    public static final ConfigOption<Boolean> WARM_START =
            ConfigOptions.key("warm-start")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "continue from the version in service (same architecture, normalizer, vocabulary)");

    public static final ConfigOption<Integer> TRAIN_TBPTT_LENGTH =
            ConfigOptions.key("train.tbptt-length")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "truncated BPTT window in steps; 0 chooses: full BPTT while a batch's"
                                    + " activations fit in 256 MiB, the longest window that fits"
                                    + " beyond");

    public static final ConfigOption<Integer> TRAIN_MAX_EPOCHS =
            ConfigOptions.key("train.max-epochs")
                    .intType()
                    .defaultValue(DEFAULTS.maxEpochs())
                    .withDescription("at most this many epochs");

    public static final ConfigOption<Integer> TRAIN_BATCH_SIZE =
            ConfigOptions.key("train.batch-size")
                    .intType()
                    .defaultValue(DEFAULTS.batchSize())
                    .withDescription("sequences per update");

    public static final ConfigOption<Double> TRAIN_LEARNING_RATE =
            ConfigOptions.key("train.learning-rate")
                    .doubleType()
                    .defaultValue(DEFAULTS.learningRate())
                    .withDescription("Adam learning rate");

    public static final ConfigOption<Integer> TRAIN_PATIENCE =
            ConfigOptions.key("train.patience")
                    .intType()
                    .defaultValue(DEFAULTS.patience())
                    .withDescription("epochs without improvement before stopping");

    public static final ConfigOption<Integer> TRAIN_PATIENCE_UPDATES =
            ConfigOptions.key("train.patience-updates")
                    .intType()
                    .defaultValue(DEFAULTS.patienceUpdates())
                    .withDescription("and at least this many updates without improvement");

    public static final ConfigOption<Long> TRAIN_SEED =
            ConfigOptions.key("train.seed")
                    .longType()
                    .defaultValue(DEFAULTS.seed())
                    .withDescription("random seed");

    public static final ConfigOption<String> TRAIN_SUPERVISION =
            ConfigOptions.key("train.supervision")
                    .stringType()
                    .defaultValue(
                            DEFAULTS.supervision()
                                    .name()
                                    .toLowerCase(Locale.ROOT)
                                    .replace('_', '-'))
                    .withDescription("last-step or every-step loss");

    public static final ConfigOption<String> TRAIN_CELL =
            ConfigOptions.key("train.cell")
                    .stringType()
                    .defaultValue(DEFAULTS.cell().name().toLowerCase(Locale.ROOT))
                    .withDescription(
                            "lstm or elman (cold start only; a warm start keeps the parent's architecture)");

    public static final ConfigOption<Integer> TRAIN_LAYERS =
            ConfigOptions.key("train.layers")
                    .intType()
                    .defaultValue(DEFAULTS.layers())
                    .withDescription("recurrent layers (cold start)");

    public static final ConfigOption<Integer> TRAIN_HIDDEN_SIZE =
            ConfigOptions.key("train.hidden-size")
                    .intType()
                    .defaultValue(DEFAULTS.hiddenSize())
                    .withDescription("hidden units per layer (cold start)");

    public static final ConfigOption<String> REPORT_FILE =
            ConfigOptions.key("report.file")
                    .stringType()
                    .defaultValue("retrain-report.json")
                    .withDescription("where the decision report is written");

    public static final ConfigOption<Boolean> REPORT_STORE =
            ConfigOptions.key("report.store")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "also write the report into the model store, next to the versions:"
                                    + " <store>/<name>/reports/<UTC time>-<decision>[-v<version>].json"
                                    + " (a report.file inside a container is lost with it)");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("parallelism")
                    .intType()
                    .defaultValue(0)
                    .withDescription("parallelism of the reading job (0: the environment default)");

    /** Every setting, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    BOOTSTRAP_SERVERS,
                    MODEL_NAME,
                    MODEL_STORE,
                    TOPIC_LABELLED,
                    TOPIC_MODELS,
                    MODEL_INITIAL_URI,
                    LABELLED_FROM,
                    LABELLED_TO,
                    DATA_FILES,
                    HOLDOUT_FILES,
                    HOLDOUT_FRACTION,
                    GATE_METRIC,
                    GATE_MARGIN,
                    GATE_PARITY_TOLERANCE,
                    GATE_GOLDEN_SEQUENCES,
                    MIN_SEQUENCES,
                    GATE_MIN_HOLDOUT,
                    GATE_FIRST_VERSION,
                    PUBLISH_ROLE,
                    WARM_START,
                    TRAIN_TBPTT_LENGTH,
                    TRAIN_MAX_EPOCHS,
                    TRAIN_BATCH_SIZE,
                    TRAIN_LEARNING_RATE,
                    TRAIN_PATIENCE,
                    TRAIN_PATIENCE_UPDATES,
                    TRAIN_SEED,
                    TRAIN_SUPERVISION,
                    TRAIN_CELL,
                    TRAIN_LAYERS,
                    TRAIN_HIDDEN_SIZE,
                    REPORT_FILE,
                    REPORT_STORE,
                    PARALLELISM,
                    TopicSettings.TOPICS_CREATE,
                    TopicSettings.TOPICS_PARTITIONS,
                    TopicSettings.TOPICS_REPLICATION_FACTOR,
                    TopicSettings.BROKER_TIMEOUT);

    /**
     * The settings reference ({@code docs/settings-retrain.md}), generated from {@link #OPTIONS}.
     */
    public static String reference() {
        return SettingsReference.markdown(
                "Settings of the retraining job",
                """
                `flink run rnnstream-retrain-job-<version>.jar --config retrain.properties` on a
                cluster, `rnnstream retrain --config retrain.properties` locally. Every setting can
                be given in the properties file or as `--key value` (arguments win; a blank value
                means the default). Keys starting with `kafka.` go to every Kafka client without
                the prefix; Kafka secrets are refused as arguments. The `train.*` settings are
                model-core's training options (`TrainingOptions`). The README explains what one run
                does.
                """,
                OPTIONS);
    }

    /** Reads a properties file (may be null), then applies {@code --key value} overrides. */
    public static RetrainConfig load(Path file, String[] args) {
        return fromMap(Settings.read(file, args));
    }

    public static RetrainConfig fromMap(Map<String, String> raw) {
        Settings v = Settings.of(raw, OPTIONS);
        OffsetBound from = OffsetBound.parse("labelled.from", v.get(LABELLED_FROM));
        OffsetBound to = OffsetBound.parse("labelled.to", v.get(LABELLED_TO));
        if (to.kind() == OffsetBound.Kind.EARLIEST || to.kind() == OffsetBound.Kind.REMEMBERED) {
            throw new ConfigException(
                    "labelled.to: expected latest, an ISO-8601 instant or epoch ms, got '"
                            + v.get(LABELLED_TO)
                            + "'");
        }
        TrainingOptions training =
                TrainingOptions.defaults().toBuilder()
                        .tbpttLength(v.nonNegativeInt(TRAIN_TBPTT_LENGTH))
                        .maxEpochs(v.positiveInt(TRAIN_MAX_EPOCHS))
                        .batchSize(v.positiveInt(TRAIN_BATCH_SIZE))
                        .learningRate(v.number(TRAIN_LEARNING_RATE, 1e-7, 10))
                        .patience(v.nonNegativeInt(TRAIN_PATIENCE))
                        .patienceUpdates(v.nonNegativeInt(TRAIN_PATIENCE_UPDATES))
                        .seed(v.longInt(TRAIN_SEED))
                        .supervision(parseEnum(Supervision.class, TRAIN_SUPERVISION, v))
                        .cell(parseEnum(CellType.class, TRAIN_CELL, v))
                        .layers(v.positiveInt(TRAIN_LAYERS))
                        .hiddenSize(v.positiveInt(TRAIN_HIDDEN_SIZE))
                        .build();
        boolean firstVersion = v.bool(GATE_FIRST_VERSION);
        if (firstVersion && v.optional(MODEL_INITIAL_URI) != null) {
            throw new ConfigException(
                    "gate.first-version: model.initial.uri is set, so a version is in service and"
                            + " the candidate is compared with it; remove one of the two");
        }
        return new RetrainConfig(
                v.required(BOOTSTRAP_SERVERS),
                v.get(TOPIC_LABELLED),
                v.get(TOPIC_MODELS),
                v.required(MODEL_NAME),
                v.required(MODEL_STORE),
                v.optional(MODEL_INITIAL_URI),
                from,
                to,
                paths(v.get(DATA_FILES)),
                paths(v.get(HOLDOUT_FILES)),
                v.number(HOLDOUT_FRACTION, 0.01, 0.9),
                GateMetric.parse(v.get(GATE_METRIC)),
                v.number(GATE_MARGIN, 0, 1),
                v.number(GATE_PARITY_TOLERANCE, 0, 1),
                v.positiveInt(GATE_GOLDEN_SEQUENCES),
                v.positiveInt(MIN_SEQUENCES),
                v.positiveInt(GATE_MIN_HOLDOUT),
                firstVersion,
                v.bool(WARM_START),
                training,
                Path.of(v.get(REPORT_FILE)),
                v.bool(REPORT_STORE),
                v.nonNegativeInt(PARALLELISM),
                publishRole(v.get(PUBLISH_ROLE)),
                TopicSettings.from(v),
                v.kafkaProperties());
    }

    /** The topics a run reads and writes; the models topic is compacted. */
    public List<TopicSpec> topics() {
        return List.of(
                TopicSpec.plain(labelledTopic, TOPIC_LABELLED.key()),
                TopicSpec.compacted(modelsTopic, TOPIC_MODELS.key()));
    }

    private static <E extends Enum<E>> E parseEnum(
            Class<E> type, ConfigOption<String> option, Settings v) {
        String text = v.get(option);
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    option.key()
                            + ": expected one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                    .toList()
                            + ", got '"
                            + text
                            + "'");
        }
    }

    /** A new version is published to run: serving or shadow (retired is no role to start in). */
    private static ModelRole publishRole(String text) {
        List<ModelRole> allowed = List.of(ModelRole.SERVING, ModelRole.SHADOW);
        return allowed.stream()
                .filter(role -> role.code().equals(text))
                .findFirst()
                .orElseThrow(
                        () ->
                                new ConfigException(
                                        "publish.role: expected one of "
                                                + allowed.stream().map(ModelRole::code).toList()
                                                + ", got '"
                                                + text
                                                + "'"));
    }

    private static List<Path> paths(String list) {
        if (list.isBlank()) {
            return List.of();
        }
        return Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Path::of)
                .toList();
    }
}
