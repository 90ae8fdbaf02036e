package io.rnnstream.testkit;

import io.rnnstream.stream.event.RawRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * Runs a streaming job on the test MiniCluster against the test broker: the cluster, the settings
 * for fast tests, the topics, checkpoint retention and restore, savepoints.
 */
public final class StreamTestJob {

    private StreamTestJob() {}

    /** Two TaskManagers with two slots each, as in the reliability test matrix. */
    public static MiniClusterExtension miniCluster() {
        return miniCluster(new Configuration());
    }

    /** As {@link #miniCluster()}, with {@code configuration} (e.g. a metric reporter). */
    public static MiniClusterExtension miniCluster(Configuration configuration) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(configuration)
                        .setNumberTaskManagers(2)
                        .setNumberSlotsPerTaskManager(2)
                        .build());
    }

    /** Settings for fast tests: short checkpoints and quiet periods; {@code overrides} win. */
    public static Map<String, String> settings(
            KafkaBroker kafka, String prefix, Map<String, String> overrides) {
        return settings(kafka.bootstrapServers(), prefix, overrides);
    }

    /** As {@link #settings(KafkaBroker, String, Map)} for any broker. */
    public static Map<String, String> settings(
            String bootstrapServers, String prefix, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrapServers);
        settings.put("topic.events", prefix + "-events");
        settings.put("topic.results", prefix + "-results");
        settings.put("topic.dead-letters", prefix + "-dead-letters");
        settings.put("topic.models", prefix + "-models");
        settings.put("topic.shadow-results", prefix + "-shadow-results");
        settings.put("group.id", prefix);
        settings.put("transactional.id.prefix", prefix);
        settings.put("checkpoint.interval", "300 ms");
        settings.put("transaction.timeout", "2 min");
        settings.put("events.max-out-of-orderness", "200 ms");
        settings.put("events.idleness", "5 s");
        settings.put("sequence.gap", "10 min");
        settings.put("parallelism", "2");
        settings.putAll(overrides);
        return settings;
    }

    public static void createTopics(KafkaBroker kafka, String prefix) throws Exception {
        kafka.createTopic(prefix + "-events", 2);
        kafka.createTopic(prefix + "-results", 2);
        kafka.createTopic(prefix + "-dead-letters", 1);
        kafka.createTopic(prefix + "-models", 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(prefix + "-shadow-results", 2);
    }

    /**
     * Starts {@code job} on the test MiniCluster with the test defaults (three quick restarts, the
     * given state backend), its own Flink configuration and {@code flink} on top, e.g. {@link
     * #retainCheckpoints}, {@link #restoreFrom} or {@link #noRestarts}. {@code tap}, when given,
     * sees every raw event.
     */
    public static JobClient start(
            Configuration jobConfiguration,
            JobStart job,
            FaultInjector tap,
            String stateBackend,
            Configuration flink)
            throws Exception {
        Configuration conf = new Configuration(jobConfiguration);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.addAll(flink);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        // Without a tap for jobs whose classes come from a user jar (the tap's are the test's).
        return job.start(
                env, tap == null ? events -> events : events -> events.map(tap).name("test tap"));
    }

    /**
     * How a streaming job starts on an environment, its raw events passed through a tap first (the
     * classifier job's {@code start}). The test kit knows no job; tests hand theirs in.
     */
    @FunctionalInterface
    public interface JobStart {
        JobClient start(
                StreamExecutionEnvironment env, UnaryOperator<DataStream<RawRecord>> eventsTap)
                throws Exception;
    }

    /** Keeps completed checkpoints in {@code directory} after the job is cancelled or fails. */
    public static Configuration retainCheckpoints(Path directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }

    /** Starts from a savepoint or a retained checkpoint. */
    public static Configuration restoreFrom(String path) {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
        return conf;
    }

    /** No restart strategy: the first failure is terminal. */
    public static Configuration noRestarts() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
        return conf;
    }

    /** The newest completed checkpoint that {@code job} retained under {@code directory}. */
    public static String latestCheckpoint(Path directory, JobID job) throws IOException {
        Path jobDirectory = directory.resolve(job.toHexString());
        try (Stream<Path> checkpoints = Files.list(jobDirectory)) {
            return checkpoints
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(
                            Comparator.comparingLong(
                                    p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .map(p -> p.toUri().toString())
                    .orElseThrow(
                            () -> new AssertionError("no completed checkpoint in " + jobDirectory));
        }
    }

    /** Stops {@code job} with a canonical savepoint in {@code directory}; returns its path. */
    public static String stopWithSavepoint(JobClient job, Path directory) throws Exception {
        return job.stopWithSavepoint(
                        false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
    }
}
