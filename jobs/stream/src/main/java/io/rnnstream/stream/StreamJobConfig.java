package io.rnnstream.stream;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.config.SettingsReference;
import io.rnnstream.stream.evaluate.PromotionPolicy;
import io.rnnstream.stream.predict.PredictionSettings;
import io.rnnstream.stream.topics.TopicSettings;
import io.rnnstream.stream.topics.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The streaming job's settings, from a properties file and/or {@code --name value} arguments
 * (arguments win). Every setting is validated at start-up; a bad one stops the job with a message
 * that names it. Keys starting with {@code kafka.} are passed to every Kafka client without the
 * prefix (e.g. {@code kafka.security.protocol=SASL_SSL}).
 *
 * @see #OPTIONS for every setting and its default
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
        String shadowResultsTopic,
        int maxShadowsPerModel,
        int modelCacheSize,
        int modelCachePerModel,
        String labelledTopic,
        String evaluationsTopic,
        Duration evaluationTtl,
        long evaluationEvery,
        PromotionPolicy promotion,
        TopicSettings topicSettings,
        Map<String, String> kafkaProperties,
        PredictionSettings predictions) {

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("bootstrap.servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers (required)");

    public static final ConfigOption<String> TOPIC_EVENTS =
            ConfigOptions.key("topic.events")
                    .stringType()
                    .defaultValue("events")
                    .withDescription("input topic of events");

    public static final ConfigOption<String> TOPIC_RESULTS =
            ConfigOptions.key("topic.results")
                    .stringType()
                    .defaultValue("classifications")
                    .withDescription("output topic of classifications");

    public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
            ConfigOptions.key("topic.dead-letters")
                    .stringType()
                    .defaultValue("dead-letters")
                    .withDescription("topic for records that cannot be used");

    public static final ConfigOption<String> TOPIC_MODELS =
            ConfigOptions.key("topic.models")
                    .stringType()
                    .defaultValue("models")
                    .withDescription("compacted topic of model announcements");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group.id")
                    .stringType()
                    .defaultValue("rnnstream")
                    .withDescription("consumer group id");

    public static final ConfigOption<String> DELIVERY_GUARANTEE =
            ConfigOptions.key("delivery.guarantee")
                    .stringType()
                    .defaultValue("exactly-once")
                    .withDescription("exactly-once or at-least-once");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("transactional.id.prefix")
                    .stringType()
                    .defaultValue("rnnstream")
                    .withDescription("Kafka transactional id prefix; unique per job and cluster");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("transaction.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "producer transaction timeout; at most the broker's transaction.max.timeout.ms (checked at start) and at least twice checkpoint.interval");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "checkpoint interval; results become visible to read_committed readers at each checkpoint");

    public static final ConfigOption<Duration> EVENTS_MAX_OUT_OF_ORDERNESS =
            ConfigOptions.key("events.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "how far behind the newest event time an event may arrive and still be applied in order; later ones are dead-lettered as late");

    public static final ConfigOption<Duration> EVENTS_IDLENESS =
            ConfigOptions.key("events.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "after this long without events, event time follows the wall clock (so the last events are applied and gaps end sequences)");

    public static final ConfigOption<Integer> EVENTS_MAX_BYTES =
            ConfigOptions.key("events.max-bytes")
                    .intType()
                    .defaultValue(1048576)
                    .withDescription("larger records go to the dead-letter topic as oversized");

    public static final ConfigOption<Duration> SEQUENCE_GAP =
            ConfigOptions.key("sequence.gap")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("event-time inactivity that ends a key's sequence");

    public static final ConfigOption<Integer> SEQUENCE_MAX_LENGTH =
            ConfigOptions.key("sequence.max-length")
                    .intType()
                    .defaultValue(10000)
                    .withDescription("steps after which a sequence ends");

    public static final ConfigOption<Integer> SEQUENCE_EMIT_EVERY =
            ConfigOptions.key("sequence.emit-every")
                    .intType()
                    .defaultValue(0)
                    .withDescription("emit a running classification every N steps (0: off)");

    public static final ConfigOption<Boolean> SEQUENCE_BATCH_STEPS =
            ConfigOptions.key("sequence.batch-steps")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "step the keys that one watermark advance releases together, many keys per kernel call (false: one key at a time)");

    public static final ConfigOption<Duration> STATE_TTL =
            ConfigOptions.key("state.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription(
                            "processing-time TTL of a key's sequence state, a safety net beyond the gap timer");

    public static final ConfigOption<String> MODEL_DEFAULT =
            ConfigOptions.key("model.default")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "model for events that do not name one (default: the initial model's name)");

    public static final ConfigOption<String> MODEL_INITIAL_URI =
            ConfigOptions.key("model.initial.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "artifact directory served before any announcement (any Flink FileSystem URI)");

    public static final ConfigOption<String> MODEL_INITIAL_SHA256 =
            ConfigOptions.key("model.initial.sha256")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "expected SHA-256 of the initial artifact's manifest.json (default: its manifest.sha256)");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("parallelism")
                    .intType()
                    .defaultValue(0)
                    .withDescription("job parallelism (0: the cluster default)");

    public static final ConfigOption<String> TOPIC_SHADOW_RESULTS =
            ConfigOptions.key("topic.shadow-results")
                    .stringType()
                    .defaultValue("shadow-classifications")
                    .withDescription(
                            "output topic of the classifications of shadow versions (never the results topic)");

    public static final ConfigOption<Integer> SHADOW_MAX_PER_MODEL =
            ConfigOptions.key("shadow.max-per-model")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "the most shadow versions one model runs at a time; further shadow announcements are refused (model-rejected)");

    public static final ConfigOption<Integer> MODELS_CACHE_SIZE =
            ConfigOptions.key("models.cache.size")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "the most model versions each subtask keeps loaded besides the initial one, in the classifier and, separately, in the language-model operator; an evicted version is loaded and verified again, off the task thread, when a sequence needs it");

    public static final ConfigOption<Integer> MODELS_CACHE_PER_MODEL =
            ConfigOptions.key("models.cache.per-model")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "the most versions of one model each subtask keeps loaded, so that a model retrained often does not push the other models' versions out; at least shadow.max-per-model + 2, at most models.cache.size");

    public static final ConfigOption<String> TOPIC_LABELLED =
            ConfigOptions.key("topic.labelled")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "labelled-events topic (the retraining input, label on a sequence's last event); set it to evaluate every version live against the labels (off when unset)");

    public static final ConfigOption<String> TOPIC_EVALUATIONS =
            ConfigOptions.key("topic.evaluations")
                    .stringType()
                    .defaultValue("model-evaluations")
                    .withDescription(
                            "output topic of the live evaluation and promotion decision records");

    public static final ConfigOption<Duration> EVALUATION_TTL =
            ConfigOptions.key("evaluation.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "how long a label or a classification waits for its partner (processing time) before it is dropped");

    public static final ConfigOption<Integer> EVALUATION_EVERY =
            ConfigOptions.key("evaluation.every")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "write an evaluation record of a version every N labelled sequences");

    public static final ConfigOption<Boolean> PROMOTION_AUTO =
            ConfigOptions.key("promotion.auto")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "promote a shadow that meets the policy by announcing it as serving (false: report only; promote by hand with rnnstream promote)");

    public static final ConfigOption<Integer> PROMOTION_MIN_LABELLED =
            ConfigOptions.key("promotion.min-labelled")
                    .intType()
                    .defaultValue(200)
                    .withDescription("labelled sequences a shadow needs before it can be promoted");

    public static final ConfigOption<Double> PROMOTION_MARGIN =
            ConfigOptions.key("promotion.margin")
                    .doubleType()
                    .defaultValue(0.01)
                    .withDescription(
                            "least accuracy gain of the shadow over the serving version on the same labelled sequences (0 to 1)");

    public static final ConfigOption<Double> PROMOTION_CONFIDENCE =
            ConfigOptions.key("promotion.confidence")
                    .doubleType()
                    .defaultValue(0.95)
                    .withDescription(
                            "confidence of the exact one-sided sign test (McNemar) on paired correctness that the shadow is better; promoted when p <= 1 - confidence");

    /** Every setting, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    BOOTSTRAP_SERVERS,
                    TOPIC_EVENTS,
                    TOPIC_RESULTS,
                    TOPIC_DEAD_LETTERS,
                    TOPIC_MODELS,
                    GROUP_ID,
                    DELIVERY_GUARANTEE,
                    TRANSACTIONAL_ID_PREFIX,
                    TRANSACTION_TIMEOUT,
                    CHECKPOINT_INTERVAL,
                    EVENTS_MAX_OUT_OF_ORDERNESS,
                    EVENTS_IDLENESS,
                    EVENTS_MAX_BYTES,
                    SEQUENCE_GAP,
                    SEQUENCE_MAX_LENGTH,
                    SEQUENCE_EMIT_EVERY,
                    SEQUENCE_BATCH_STEPS,
                    STATE_TTL,
                    MODEL_DEFAULT,
                    MODEL_INITIAL_URI,
                    MODEL_INITIAL_SHA256,
                    PARALLELISM,
                    TOPIC_SHADOW_RESULTS,
                    SHADOW_MAX_PER_MODEL,
                    MODELS_CACHE_SIZE,
                    MODELS_CACHE_PER_MODEL,
                    TOPIC_LABELLED,
                    TOPIC_EVALUATIONS,
                    EVALUATION_TTL,
                    EVALUATION_EVERY,
                    PROMOTION_AUTO,
                    PROMOTION_MIN_LABELLED,
                    PROMOTION_MARGIN,
                    PROMOTION_CONFIDENCE,
                    PredictionSettings.MODELS,
                    PredictionSettings.FEEDS,
                    PredictionSettings.TOPIC,
                    PredictionSettings.TOP_K,
                    PredictionSettings.SURPRISE_THRESHOLD,
                    PredictionSettings.MAX_CONTINUATION,
                    PredictionSettings.TEMPERATURE,
                    TopicSettings.TOPICS_CREATE,
                    TopicSettings.TOPICS_PARTITIONS,
                    TopicSettings.TOPICS_REPLICATION_FACTOR,
                    TopicSettings.BROKER_TIMEOUT);

    /**
     * The settings reference ({@code docs/settings-stream.md}), generated from {@link #OPTIONS}.
     */
    public static String reference() {
        return SettingsReference.markdown(
                "Settings of the stream job",
                """
                `flink run rnnstream-stream-job-<version>.jar --config stream.properties` on a
                cluster, `rnnstream stream --config stream.properties` locally. Every setting can be
                given in the properties file or as `--key value` (arguments win; a blank value means
                the default). Keys starting with `kafka.` go to every Kafka client without the
                prefix (e.g. `kafka.security.protocol=SASL_SSL`); Kafka secrets are refused as
                arguments. Durations are written like `300 ms`, `30 s`, `5 min`, `1 d`. The README
                explains how the settings work together.
                """,
                OPTIONS);
    }

    /**
     * Reads a properties file, then applies {@code --key value} / {@code --key=value} overrides.
     */
    public static StreamJobConfig load(Path file, String[] args) {
        return fromMap(Settings.read(file, args));
    }

    public static StreamJobConfig fromMap(Map<String, String> raw) {
        Settings v = Settings.of(raw, OPTIONS);
        String bootstrap = v.required(BOOTSTRAP_SERVERS);
        DeliveryMode delivery = DeliveryMode.parse(v.get(DELIVERY_GUARANTEE));
        Duration checkpoint = v.duration(CHECKPOINT_INTERVAL);
        Duration txTimeout = v.duration(TRANSACTION_TIMEOUT);
        if (delivery == DeliveryMode.EXACTLY_ONCE
                && txTimeout.compareTo(checkpoint.multipliedBy(2)) < 0) {
            throw new ConfigException(
                    "transaction.timeout "
                            + txTimeout
                            + " must be at least twice checkpoint.interval "
                            + checkpoint
                            + ": a transaction that times out before its checkpoint commits loses results");
        }
        String initialUri = v.optional(MODEL_INITIAL_URI);
        String defaultModel = v.optional(MODEL_DEFAULT);
        if (initialUri == null && defaultModel == null) {
            throw new ConfigException(
                    "set model.initial.uri (a model to serve from the start) or model.default (a model announced later)");
        }
        String labelled = v.optional(TOPIC_LABELLED);
        List<String> named =
                new java.util.ArrayList<>(
                        List.of(
                                v.get(TOPIC_EVENTS),
                                v.get(TOPIC_RESULTS),
                                v.get(TOPIC_DEAD_LETTERS),
                                v.get(TOPIC_MODELS),
                                v.get(TOPIC_SHADOW_RESULTS)));
        if (labelled != null) {
            named.add(labelled);
            named.add(v.get(TOPIC_EVALUATIONS));
        }
        Duration stateTtl = v.duration(STATE_TTL);
        PredictionSettings predictions =
                PredictionSettings.from(
                        v,
                        stateTtl,
                        v.positiveInt(MODELS_CACHE_SIZE),
                        v.positiveInt(MODELS_CACHE_PER_MODEL));
        if (predictions.enabled()) {
            named.add(predictions.topic());
        }
        Set<String> topics = new java.util.HashSet<>(named);
        if (topics.size() != named.size()) {
            throw new ConfigException(
                    "topic.events, topic.results, topic.dead-letters, topic.models,"
                            + " topic.shadow-results"
                            + (labelled != null ? ", topic.labelled and topic.evaluations" : "")
                            + (predictions.enabled() ? ", topic.predictions" : "")
                            + " must be different topics, got "
                            + named);
        }
        PromotionPolicy promotion =
                new PromotionPolicy(
                        v.bool(PROMOTION_AUTO),
                        v.positiveInt(PROMOTION_MIN_LABELLED),
                        v.number(PROMOTION_MARGIN, 0, 1),
                        v.number(PROMOTION_CONFIDENCE, 0.5, 0.999999));
        Duration evaluationTtl = v.duration(EVALUATION_TTL);
        if (evaluationTtl.isZero()) {
            throw new ConfigException("evaluation.ttl: expected a positive duration, got 0");
        }
        return new StreamJobConfig(
                bootstrap,
                v.get(TOPIC_EVENTS),
                v.get(TOPIC_RESULTS),
                v.get(TOPIC_DEAD_LETTERS),
                v.get(TOPIC_MODELS),
                v.get(GROUP_ID),
                delivery,
                v.get(TRANSACTIONAL_ID_PREFIX),
                txTimeout,
                checkpoint,
                v.duration(EVENTS_MAX_OUT_OF_ORDERNESS),
                v.duration(EVENTS_IDLENESS),
                v.positiveInt(EVENTS_MAX_BYTES),
                v.duration(SEQUENCE_GAP),
                v.positiveInt(SEQUENCE_MAX_LENGTH),
                v.nonNegativeInt(SEQUENCE_EMIT_EVERY),
                v.bool(SEQUENCE_BATCH_STEPS),
                stateTtl,
                defaultModel,
                initialUri,
                v.optional(MODEL_INITIAL_SHA256),
                v.nonNegativeInt(PARALLELISM),
                v.get(TOPIC_SHADOW_RESULTS),
                v.nonNegativeInt(SHADOW_MAX_PER_MODEL),
                v.positiveInt(MODELS_CACHE_SIZE),
                v.positiveInt(MODELS_CACHE_PER_MODEL),
                labelled,
                v.get(TOPIC_EVALUATIONS),
                evaluationTtl,
                v.positiveInt(EVALUATION_EVERY),
                promotion,
                TopicSettings.from(v),
                v.kafkaProperties(),
                predictions);
    }

    /**
     * The topics the job checks (and creates with {@code topics.create}): events, results, dead
     * letters, models (compacted: the newest version per model), the shadow results unless {@code
     * shadow.max-per-model} is 0 (no shadow can run), and the labelled, evaluations and predictions
     * topics when those paths are on.
     */
    public List<TopicSpec> topics() {
        List<TopicSpec> topics =
                new java.util.ArrayList<>(
                        List.of(
                                TopicSpec.plain(eventsTopic, TOPIC_EVENTS.key()),
                                TopicSpec.plain(resultsTopic, TOPIC_RESULTS.key()),
                                TopicSpec.plain(deadLettersTopic, TOPIC_DEAD_LETTERS.key()),
                                TopicSpec.compacted(modelsTopic, TOPIC_MODELS.key())));
        if (maxShadowsPerModel > 0) {
            topics.add(TopicSpec.plain(shadowResultsTopic, TOPIC_SHADOW_RESULTS.key()));
        }
        if (labelledTopic != null) {
            topics.add(TopicSpec.plain(labelledTopic, TOPIC_LABELLED.key()));
            topics.add(TopicSpec.plain(evaluationsTopic, TOPIC_EVALUATIONS.key()));
        }
        if (predictions.enabled()) {
            topics.add(TopicSpec.plain(predictions.topic(), PredictionSettings.TOPIC.key()));
        }
        return List.copyOf(topics);
    }
}
