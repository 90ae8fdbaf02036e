package io.rnnstream.stream;

import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.stream.classify.ClassifierSettings;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.evaluate.EvaluationSettings;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.ingest.AnnouncementWatermarks;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.kafka.RawRecordDeserializer;
import io.rnnstream.stream.model.FlinkFileSystemSource;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.predict.PredictionSerializer;
import io.rnnstream.stream.sink.AnnouncementSerializer;
import io.rnnstream.stream.sink.ClassificationSerializer;
import io.rnnstream.stream.sink.EvaluationSerializer;
import io.rnnstream.stream.sink.TransactionTimeoutCheck;
import io.rnnstream.stream.topics.KafkaTopics;
import io.rnnstream.stream.topics.TopicSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming classifier on Kafka: events topic in, classifications and dead letters out, model
 * announcements broadcast to every instance. Run with {@code flink run <jar> --config FILE} on a
 * cluster or {@code ./rnnstream stream --config FILE} locally.
 */
public final class ClassifierJob {

    /** Stable ids of the Kafka source and sink operators. */
    public static final String EVENTS_SOURCE_UID = "kafka-events";

    public static final String MODELS_SOURCE_UID = "kafka-models";
    public static final String RESULTS_SINK_UID = "kafka-classifications";
    public static final String DEAD_LETTERS_SINK_UID = "kafka-dead-letters";
    public static final String LABELLED_SOURCE_UID = "kafka-labelled";
    public static final String SHADOW_RESULTS_SINK_UID = "kafka-shadow-classifications";
    public static final String EVALUATIONS_SINK_UID = "kafka-evaluations";
    public static final String PROMOTIONS_SINK_UID = "kafka-promotions";
    public static final String PREDICTIONS_SINK_UID = "kafka-predictions";

    private final StreamJobConfig config;
    private final ModelAnnouncement initialModel;
    private final ModelLoader loader;

    public ClassifierJob(StreamJobConfig config, ModelLoader loader) {
        this.config = config;
        this.loader = loader;
        this.initialModel = resolveInitialModel(config);
    }

    public static void main(String[] args) throws Exception {
        StreamJobConfig config = StreamJobConfig.fromMap(Settings.fromJobArguments(args));
        ClassifierJob job = new ClassifierJob(config, new ModelLoader());
        job.checkBroker();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(job.flinkConfiguration(env.getConfiguration()));
        job.build(env);
        env.execute("rnnstream classifier");
    }

    /**
     * Job-level Flink settings for a run whose cluster configuration is unknown or empty (a local
     * run): {@link #flinkConfiguration(ReadableConfig)} of an empty configuration.
     */
    public Configuration flinkConfiguration() {
        return flinkConfiguration(new Configuration());
    }

    /**
     * Job-level Flink settings on a cluster configured with {@code cluster}: the job's own, and the
     * {@link RocksDbStateDefaults} the cluster leaves unset. Cluster concerns (state backend, HA,
     * restarts) stay in the cluster's configuration.
     */
    public Configuration flinkConfiguration(ReadableConfig cluster) {
        Configuration conf = new Configuration();
        // Every type must have an explicit serializer: a silent fall-back to Kryo breaks state
        // evolution.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        RocksDbStateDefaults.addUnsetTo(cluster, conf);
        return conf;
    }

    /**
     * Checks what can only be checked against the live brokers, before anything is submitted: the
     * topics (created when {@code topics.create} is on, else a missing one stops the job with a
     * {@link io.rnnstream.stream.topics.MissingTopicsException}; a Kafka source on a missing topic
     * would fail over forever) and the broker's transaction maximum. An unreachable broker fails
     * after {@code broker.timeout} with a {@link io.rnnstream.stream.topics.BrokerException}.
     *
     * @return the topics it created
     */
    public List<TopicSpec> checkBroker() {
        List<TopicSpec> created =
                new KafkaTopics(
                                config.kafkaProperties(),
                                config.bootstrapServers(),
                                config.topicSettings())
                        .ensure(config.topics());
        if (config.delivery() == DeliveryMode.EXACTLY_ONCE) {
            TransactionTimeoutCheck.check(
                    adminProperties(),
                    config.transactionTimeout(),
                    config.topicSettings().brokerTimeout());
        }
        return created;
    }

    /** Adds sources, pipeline and sinks to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment)}, with {@code eventsTap} applied to the raw
     * event stream right after the source: an extension point for instrumentation such as
     * throttling or fault injection. The tap must keep records unchanged and in order.
     */
    public void build(
            StreamExecutionEnvironment env, UnaryOperator<DataStream<RawRecord>> eventsTap) {
        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        DataStream<RawRecord> events =
                env.fromSource(
                                source(config.eventsTopic(), config.groupId()),
                                WatermarkStrategy.noWatermarks(),
                                "kafka events")
                        .uid(EVENTS_SOURCE_UID);
        events = eventsTap.apply(events);
        DataStream<RawRecord> models =
                env.fromSource(
                                source(config.modelsTopic(), config.groupId() + "-models"),
                                AnnouncementWatermarks.strategy(),
                                "kafka models")
                        .uid(MODELS_SOURCE_UID)
                        .setParallelism(1);
        DataStream<RawRecord> labelled =
                config.labelledTopic() == null
                        ? null
                        : env.fromSource(
                                        source(
                                                config.labelledTopic(),
                                                config.groupId() + "-labelled"),
                                        WatermarkStrategy.noWatermarks(),
                                        "kafka labelled events")
                                .uid(LABELLED_SOURCE_UID);
        ClassifierPipeline.Outputs outputs =
                ClassifierPipeline.build(
                        events,
                        models,
                        labelled,
                        settings(),
                        labelled == null ? null : evaluationSettings(),
                        config.predictions(),
                        loader,
                        config.maxRecordBytes(),
                        config.maxOutOfOrderness(),
                        config.sourceIdleness());
        outputs.classifications()
                .sinkTo(sink(new ClassificationSerializer(config.resultsTopic()), "results"))
                .uid(RESULTS_SINK_UID)
                .name("kafka classifications");
        outputs.deadLetters()
                .sinkTo(sink(new DeadLetterSerializer(config.deadLettersTopic()), "dead-letters"))
                .uid(DEAD_LETTERS_SINK_UID)
                .name("kafka dead letters");
        outputs.shadowClassifications()
                .sinkTo(
                        sink(
                                new ClassificationSerializer(config.shadowResultsTopic()),
                                "shadow-results"))
                .uid(SHADOW_RESULTS_SINK_UID)
                .name("kafka shadow classifications");
        if (outputs.evaluations() != null) {
            outputs.evaluations()
                    .sinkTo(
                            sink(
                                    new EvaluationSerializer(config.evaluationsTopic()),
                                    "evaluations"))
                    .uid(EVALUATIONS_SINK_UID)
                    .name("kafka evaluations");
            outputs.promotions()
                    .sinkTo(sink(new AnnouncementSerializer(config.modelsTopic()), "promotions"))
                    .uid(PROMOTIONS_SINK_UID)
                    .name("kafka promotions");
        }
        if (outputs.predictions() != null) {
            outputs.predictions()
                    .sinkTo(
                            sink(
                                    new PredictionSerializer(config.predictions().topic()),
                                    "predictions"))
                    .uid(PREDICTIONS_SINK_UID)
                    .name("kafka predictions");
        }
    }

    /** Starts the job without blocking, for embedding and tests. */
    public JobClient start(
            StreamExecutionEnvironment env, UnaryOperator<DataStream<RawRecord>> eventsTap)
            throws Exception {
        build(env, eventsTap);
        return env.executeAsync("rnnstream classifier");
    }

    public ClassifierSettings settings() {
        String defaultModel =
                config.defaultModel() != null ? config.defaultModel() : initialModel.name();
        return new ClassifierSettings(
                defaultModel,
                initialModel,
                config.sequenceGap(),
                config.maxSequenceLength(),
                config.emitEvery(),
                config.batchSteps(),
                config.stateTtl(),
                config.maxShadowsPerModel(),
                config.labelledTopic() != null,
                config.modelCacheSize(),
                config.modelCachePerModel());
    }

    /** How the live evaluation runs, when a labelled topic is set. */
    public EvaluationSettings evaluationSettings() {
        return new EvaluationSettings(
                config.evaluationTtl(), config.evaluationEvery(), config.promotion());
    }

    public ModelAnnouncement initialModel() {
        return initialModel;
    }

    /**
     * A source of raw records from {@code topic} with this job's Kafka settings (read_committed,
     * from the group's committed offsets, else the earliest). Public so that other jobs on the same
     * cluster, such as the benchmark's baselines, read Kafka exactly as this job does.
     */
    public KafkaSource<RawRecord> source(String topic, String groupId) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(
                                org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRecordDeserializer())
                .setProperties(kafkaProperties())
                // Upstream producers may write transactionally: never read their aborted records.
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    /**
     * A sink with this job's delivery guarantee, transaction settings and Kafka settings; {@code
     * name} makes the transactional id prefix unique per sink. Public for the same reason as {@link
     * #source}.
     */
    public <T> KafkaSink<T> sink(
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer,
            String name) {
        Properties producer = kafkaProperties();
        producer.setProperty(
                "transaction.timeout.ms", Long.toString(config.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(config.delivery().guarantee())
                .setTransactionalIdPrefix(config.transactionalIdPrefix() + "-" + name)
                .setKafkaProducerConfig(producer)
                .build();
    }

    private Properties kafkaProperties() {
        Properties properties = new Properties();
        properties.putAll(config.kafkaProperties());
        return properties;
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> properties = new HashMap<>(config.kafkaProperties());
        properties.put("bootstrap.servers", config.bootstrapServers());
        return properties;
    }

    private static ModelAnnouncement resolveInitialModel(StreamJobConfig config) {
        if (config.initialModelUri() == null) {
            return null;
        }
        try {
            ModelArtifact artifact =
                    ModelArtifact.load(
                            new FlinkFileSystemSource(config.initialModelUri()),
                            config.initialModelSha256());
            return new ModelAnnouncement(
                    artifact.manifest().name(),
                    artifact.manifest().version(),
                    config.initialModelUri(),
                    artifact.manifestSha256());
        } catch (Exception e) {
            throw new ConfigException("model.initial.uri: " + e.getMessage(), e);
        }
    }
}
