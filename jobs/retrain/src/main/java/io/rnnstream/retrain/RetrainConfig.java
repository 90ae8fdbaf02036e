package io.rnnstream.retrain;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The retraining job's settings, from a properties file and/or {@code --key value} arguments. Keys
 * starting with {@code kafka.} go to every Kafka client without the prefix.
 *
 * @see #KEYS for every setting, its default and meaning
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
        boolean warmStart,
        TrainingOptions training,
        Path reportFile,
        int parallelism,
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

    /** Every key with its default ("" = required or unset) and meaning, in documentation order. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        TrainingOptions d = TrainingOptions.defaults();
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("bootstrap.servers", new String[] {"", "Kafka bootstrap servers (required)"});
        k.put("model.name", new String[] {"", "name of the model to retrain (required)"});
        k.put(
                "model.store",
                new String[] {
                    "",
                    "model store: a directory or Flink FileSystem URI; versions go to <store>/<name>/<version> (required)"
                });
        k.put(
                "topic.labelled",
                new String[] {
                    "labelled-events",
                    "topic of labelled events: the event format plus label on each sequence's last event"
                });
        k.put("topic.models", new String[] {"models", "model topic the streaming job listens to"});
        k.put(
                "model.initial.uri",
                new String[] {
                    "",
                    "the version in service when none has been announced yet (the stream job's model.initial.uri)"
                });
        k.put(
                "labelled.from",
                new String[] {
                    "remembered",
                    "first labelled event to read: earliest, remembered (where the version in service stopped reading, else earliest), an ISO-8601 instant or epoch ms"
                });
        k.put(
                "labelled.to",
                new String[] {
                    "latest",
                    "read up to: latest (the last committed record at start) or an ISO-8601 instant or epoch ms"
                });
        k.put(
                "data.files",
                new String[] {
                    "",
                    "comma-separated labelled data files (.ts, .jsonl, VADER .txt) added to the Kafka data"
                });
        k.put(
                "holdout.files",
                new String[] {
                    "",
                    "comma-separated files to evaluate both versions on; default: a stratified holdout.fraction of the data"
                });
        k.put(
                "holdout.fraction",
                new String[] {"0.2", "share of the data held out to compare the two versions"});
        k.put("gate.metric", new String[] {"accuracy", "accuracy or macro-f1"});
        k.put(
                "gate.margin",
                new String[] {
                    "0.01",
                    "publish only if the candidate scores at least the version in service minus this"
                });
        k.put(
                "gate.parity-tolerance",
                new String[] {
                    "1e-4",
                    "largest allowed difference between served and DL4J probabilities on golden sequences"
                });
        k.put(
                "gate.golden-sequences",
                new String[] {"32", "held-out sequences used for the parity check"});
        k.put(
                "min.sequences",
                new String[] {"20", "refuse to train on fewer labelled sequences than this"});
        k.put(
                "warm-start",
                new String[] {
                    "true",
                    "continue from the version in service (same architecture, normalizer, vocabulary)"
                });
        k.put(
                "train.tbptt-length",
                new String[] {
                    "50",
                    "truncated BPTT window in steps (0: full BPTT); longer sequences are split"
                });
        k.put("train.max-epochs", new String[] {"" + d.maxEpochs(), "at most this many epochs"});
        k.put("train.batch-size", new String[] {"" + d.batchSize(), "sequences per update"});
        k.put("train.learning-rate", new String[] {"" + d.learningRate(), "Adam learning rate"});
        k.put(
                "train.patience",
                new String[] {"" + d.patience(), "epochs without improvement before stopping"});
        k.put(
                "train.patience-updates",
                new String[] {
                    "" + d.patienceUpdates(), "and at least this many updates without improvement"
                });
        k.put("train.seed", new String[] {"" + d.seed(), "random seed"});
        k.put(
                "train.supervision",
                new String[] {
                    d.supervision().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    "last-step or every-step loss"
                });
        k.put(
                "train.cell",
                new String[] {
                    d.cell().name().toLowerCase(Locale.ROOT),
                    "lstm or elman (cold start only; a warm start keeps the parent's architecture)"
                });
        k.put("train.layers", new String[] {"" + d.layers(), "recurrent layers (cold start)"});
        k.put(
                "train.hidden-size",
                new String[] {"" + d.hiddenSize(), "hidden units per layer (cold start)"});
        k.put(
                "report.file",
                new String[] {"retrain-report.json", "where the decision report is written"});
        k.put(
                "parallelism",
                new String[] {"0", "parallelism of the reading job (0: the environment default)"});
        return k;
    }

    /** Reads a properties file (may be null), then applies {@code --key value} overrides. */
    public static RetrainConfig load(Path file, String[] args) {
        return fromMap(Settings.read(file, args));
    }

    public static RetrainConfig fromMap(Map<String, String> raw) {
        Settings v = Settings.of(raw, KEYS);
        OffsetBound from = OffsetBound.parse("labelled.from", v.get("labelled.from"));
        OffsetBound to = OffsetBound.parse("labelled.to", v.get("labelled.to"));
        if (to.kind() == OffsetBound.Kind.EARLIEST || to.kind() == OffsetBound.Kind.REMEMBERED) {
            throw new ConfigException(
                    "labelled.to: expected latest, an ISO-8601 instant or epoch ms, got '"
                            + v.get("labelled.to")
                            + "'");
        }
        TrainingOptions training =
                TrainingOptions.defaults().toBuilder()
                        .tbpttLength(v.nonNegativeInt("train.tbptt-length"))
                        .maxEpochs(v.positiveInt("train.max-epochs"))
                        .batchSize(v.positiveInt("train.batch-size"))
                        .learningRate(v.number("train.learning-rate", 1e-7, 10))
                        .patience(v.nonNegativeInt("train.patience"))
                        .patienceUpdates(v.nonNegativeInt("train.patience-updates"))
                        .seed(Long.parseLong(v.get("train.seed")))
                        .supervision(parseEnum(Supervision.class, "train.supervision", v))
                        .cell(parseEnum(CellType.class, "train.cell", v))
                        .layers(v.positiveInt("train.layers"))
                        .hiddenSize(v.positiveInt("train.hidden-size"))
                        .build();
        return new RetrainConfig(
                v.required("bootstrap.servers"),
                v.get("topic.labelled"),
                v.get("topic.models"),
                v.required("model.name"),
                v.required("model.store"),
                v.optional("model.initial.uri"),
                from,
                to,
                paths(v.get("data.files")),
                paths(v.get("holdout.files")),
                v.number("holdout.fraction", 0.01, 0.9),
                GateMetric.parse(v.get("gate.metric")),
                v.number("gate.margin", 0, 1),
                v.number("gate.parity-tolerance", 0, 1),
                v.positiveInt("gate.golden-sequences"),
                v.positiveInt("min.sequences"),
                v.bool("warm-start"),
                training,
                Path.of(v.get("report.file")),
                v.nonNegativeInt("parallelism"),
                v.kafkaProperties());
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, Settings v) {
        String text = v.get(key);
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    key
                            + ": expected one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                                    .toList()
                            + ", got '"
                            + text
                            + "'");
        }
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
