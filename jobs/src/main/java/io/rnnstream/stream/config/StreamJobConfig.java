package io.rnnstream.stream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.util.TimeUtils;

/**
 * The streaming job's settings, from a properties file and/or {@code --name value} arguments
 * (arguments win). Every setting is validated at start-up; a bad one stops the job with a message
 * that names it. Keys starting with {@code kafka.} are passed to every Kafka client without the
 * prefix (e.g. {@code kafka.security.protocol=SASL_SSL}).
 *
 * @see #KEYS for every setting and its default
 */
public record StreamJobConfig(
        String bootstrapServers,
        String eventsTopic,
        String resultsTopic,
        String deadLettersTopic,
        String modelsTopic,
        String groupId,
        DeliveryMode delivery,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Duration checkpointInterval,
        Duration maxOutOfOrderness,
        Duration sourceIdleness,
        int maxRecordBytes,
        Duration sequenceGap,
        int maxSequenceLength,
        int emitEvery,
        Duration stateTtl,
        String defaultModel,
        String initialModelUri,
        String initialModelSha256,
        int parallelism,
        Map<String, String> kafkaProperties) {

    /** Every key with its default ("" = required or unset) and meaning, in documentation order. */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("bootstrap.servers", new String[] {"", "Kafka bootstrap servers (required)"});
        k.put("topic.events", new String[] {"events", "input topic of events"});
        k.put("topic.results", new String[] {"classifications", "output topic of classifications"});
        k.put(
                "topic.dead-letters",
                new String[] {"dead-letters", "topic for records that cannot be used"});
        k.put("topic.models", new String[] {"models", "compacted topic of model announcements"});
        k.put("group.id", new String[] {"rnnstream", "consumer group id"});
        k.put("delivery.guarantee", new String[] {"exactly-once", "exactly-once or at-least-once"});
        k.put(
                "transactional.id.prefix",
                new String[] {
                    "rnnstream", "Kafka transactional id prefix; unique per job and cluster"
                });
        k.put(
                "transaction.timeout",
                new String[] {
                    "15 min",
                    "producer transaction timeout; at most the broker's transaction.max.timeout.ms"
                });
        k.put(
                "checkpoint.interval",
                new String[] {
                    "10 s",
                    "checkpoint interval; results become visible to read_committed readers at each checkpoint"
                });
        k.put(
                "events.max-out-of-orderness",
                new String[] {
                    "2 s",
                    "how far behind the newest event time an event may arrive and still be applied in order"
                });
        k.put(
                "events.idleness",
                new String[] {
                    "30 s",
                    "after this long without events, event time follows the wall clock (so the last events are applied and gaps end sequences)"
                });
        k.put(
                "events.max-bytes",
                new String[] {
                    "1048576", "larger records go to the dead-letter topic as oversized"
                });
        k.put(
                "sequence.gap",
                new String[] {"30 s", "event-time inactivity that ends a key's sequence"});
        k.put("sequence.max-length", new String[] {"10000", "steps after which a sequence ends"});
        k.put(
                "sequence.emit-every",
                new String[] {"0", "emit a running classification every N steps (0: off)"});
        k.put("state.ttl", new String[] {"1 d", "processing-time TTL of a key's sequence state"});
        k.put(
                "model.default",
                new String[] {
                    "", "model for events that do not name one (default: the initial model's name)"
                });
        k.put(
                "model.initial.uri",
                new String[] {
                    "",
                    "artifact directory served before any announcement (any Flink FileSystem URI)"
                });
        k.put(
                "model.initial.sha256",
                new String[] {
                    "",
                    "expected SHA-256 of the initial artifact's manifest.json (default: its manifest.sha256)"
                });
        k.put("parallelism", new String[] {"0", "job parallelism (0: the cluster default)"});
        return k;
    }

    /**
     * Reads a properties file, then applies {@code --key value} / {@code --key=value} overrides.
     */
    public static StreamJobConfig load(Path file, String[] args) {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException(
                        "cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> values = new TreeMap<>();
        properties.forEach((k, v) -> values.put(k.toString().strip(), v.toString().strip()));
        Map<String, String> arguments = arguments(args);
        refuseSecretsInArguments(arguments);
        values.putAll(arguments);
        return fromMap(values);
    }

    /**
     * Command-line arguments show in process lists, shell histories and Flink's client logs, so a
     * Kafka setting of type password (SASL JAAS config, key store passwords, ...) must come from
     * the configuration file or a Kafka config provider reference such as {@code
     * ${file:/etc/kafka/secrets.properties:password}}. The message names the setting, never its
     * value.
     */
    static void refuseSecretsInArguments(Map<String, String> arguments) {
        for (Map.Entry<String, String> argument : arguments.entrySet()) {
            String key = argument.getKey();
            if (key.startsWith("kafka.")
                    && KafkaSecrets.isSecret(key.substring("kafka.".length()))
                    && !argument.getValue().contains("${")) {
                throw new ConfigException(
                        key
                                + " is a secret and must not be given as a command-line argument;"
                                + " put it in the --config file or reference a Kafka config"
                                + " provider (kafka.config.providers), e.g. ${file:/path:key}");
            }
        }
    }

    static Map<String, String> arguments(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException(
                        "unexpected argument '" + arg + "'; expected --key value");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                values.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(body, args[++i]);
            } else {
                throw new ConfigException("argument --" + body + " has no value");
            }
        }
        return values;
    }

    public static StreamJobConfig fromMap(Map<String, String> raw) {
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> entry : raw.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith("kafka.")) {
                kafka.put(key.substring("kafka.".length()), entry.getValue());
            } else if (!KEYS.containsKey(key) && !key.equals("config")) {
                throw new ConfigException(
                        "unknown setting '"
                                + key
                                + "'; known settings are "
                                + KEYS.keySet()
                                + " and kafka.*");
            }
        }
        Values v = new Values(raw);
        String bootstrap = v.required("bootstrap.servers");
        DeliveryMode delivery = DeliveryMode.parse(v.get("delivery.guarantee"));
        Duration checkpoint = v.duration("checkpoint.interval");
        Duration txTimeout = v.duration("transaction.timeout");
        if (delivery == DeliveryMode.EXACTLY_ONCE
                && txTimeout.compareTo(checkpoint.multipliedBy(2)) < 0) {
            throw new ConfigException(
                    "transaction.timeout "
                            + txTimeout
                            + " must be at least twice checkpoint.interval "
                            + checkpoint
                            + ": a transaction that times out before its checkpoint commits loses results");
        }
        String initialUri = v.optional("model.initial.uri");
        String defaultModel = v.optional("model.default");
        if (initialUri == null && defaultModel == null) {
            throw new ConfigException(
                    "set model.initial.uri (a model to serve from the start) or model.default (a model announced later)");
        }
        Set<String> topics =
                new java.util.HashSet<>(
                        java.util.List.of(
                                v.get("topic.events"),
                                v.get("topic.results"),
                                v.get("topic.dead-letters"),
                                v.get("topic.models")));
        if (topics.size() != 4) {
            throw new ConfigException(
                    "topic.events, topic.results, topic.dead-letters and topic.models must be four different topics");
        }
        return new StreamJobConfig(
                bootstrap,
                v.get("topic.events"),
                v.get("topic.results"),
                v.get("topic.dead-letters"),
                v.get("topic.models"),
                v.get("group.id"),
                delivery,
                v.get("transactional.id.prefix"),
                txTimeout,
                checkpoint,
                v.duration("events.max-out-of-orderness"),
                v.duration("events.idleness"),
                v.positiveInt("events.max-bytes"),
                v.duration("sequence.gap"),
                v.positiveInt("sequence.max-length"),
                v.nonNegativeInt("sequence.emit-every"),
                v.duration("state.ttl"),
                defaultModel,
                initialUri,
                v.optional("model.initial.sha256"),
                v.nonNegativeInt("parallelism"),
                Map.copyOf(kafka));
    }

    /** Typed access to the raw values with defaults from {@link #KEYS}. */
    private record Values(Map<String, String> raw) {
        String get(String key) {
            String value = raw.get(key);
            return value == null || value.isBlank() ? KEYS.get(key)[0] : value.strip();
        }

        String optional(String key) {
            String value = get(key);
            return value.isEmpty() ? null : value;
        }

        String required(String key) {
            String value = get(key);
            if (value.isEmpty()) {
                throw new ConfigException(key + " is required: " + KEYS.get(key)[1]);
            }
            return value;
        }

        Duration duration(String key) {
            String text = get(key);
            try {
                Duration d = TimeUtils.parseDuration(text);
                if (d.isNegative()) {
                    throw new ConfigException(
                            key + ": expected a non-negative duration, got '" + text + "'");
                }
                return d;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        key + ": expected a duration such as '30 s' or '5 min', got '" + text + "'",
                        e);
            }
        }

        int positiveInt(String key) {
            int value = integer(key);
            if (value < 1) {
                throw new ConfigException(key + ": expected a positive integer, got " + value);
            }
            return value;
        }

        int nonNegativeInt(String key) {
            int value = integer(key);
            if (value < 0) {
                throw new ConfigException(key + ": expected an integer >= 0, got " + value);
            }
            return value;
        }

        private int integer(String key) {
            String text = get(key);
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": expected an integer, got '" + text + "'", e);
            }
        }
    }
}
