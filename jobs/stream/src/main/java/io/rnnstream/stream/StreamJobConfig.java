package io.rnnstream.stream;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
        boolean batchSteps,
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
        k.put(
                "sequence.batch-steps",
                new String[] {
                    "true",
                    "step the keys that one watermark advance releases together, many keys per kernel call (false: one key at a time)"
                });
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
        return fromMap(Settings.read(file, args));
    }

    public static StreamJobConfig fromMap(Map<String, String> raw) {
        Settings v = Settings.of(raw, KEYS);
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
                v.bool("sequence.batch-steps"),
                v.duration("state.ttl"),
                defaultModel,
                initialUri,
                v.optional("model.initial.sha256"),
                v.nonNegativeInt("parallelism"),
                v.kafkaProperties());
    }
}
