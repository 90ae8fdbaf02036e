package io.rnnstream.stream.topics;

import io.rnnstream.stream.config.Settings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * How a job treats its topics at start-up: create the missing ones or stop, with how many
 * partitions and replicas, and how long the start-up checks wait for the brokers. Both jobs list
 * these options among their own, so the settings are spelt the same in every file.
 *
 * @param create create missing topics instead of stopping
 * @param partitions partitions of a created topic (a models topic always gets one)
 * @param replicationFactor replicas of a created topic; 0 for the broker's default
 * @param brokerTimeout how long one start-up check waits for the brokers
 */
public record TopicSettings(
        boolean create, int partitions, int replicationFactor, Duration brokerTimeout) {

    public static final ConfigOption<Boolean> TOPICS_CREATE =
            ConfigOptions.key("topics.create")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "create missing topics at start-up (the models topic compacted);"
                                    + " false: a missing topic stops the job at once with a"
                                    + " message naming it");

    public static final ConfigOption<Integer> TOPICS_PARTITIONS =
            ConfigOptions.key("topics.partitions")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "partitions of each topic created at start-up; the models topic"
                                    + " always gets 1");

    public static final ConfigOption<Integer> TOPICS_REPLICATION_FACTOR =
            ConfigOptions.key("topics.replication-factor")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "replicas of each topic created at start-up (0: the broker's"
                                    + " default.replication.factor)");

    public static final ConfigOption<Duration> BROKER_TIMEOUT =
            ConfigOptions.key("broker.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "how long each start-up check (topics, the broker's transaction"
                                    + " maximum) waits for the brokers before the job stops");

    /** The options, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(TOPICS_CREATE, TOPICS_PARTITIONS, TOPICS_REPLICATION_FACTOR, BROKER_TIMEOUT);

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "replication factor must be in [0, 32767], was " + replicationFactor);
        }
    }

    /** Reads the options from a job's validated settings. */
    public static TopicSettings from(Settings settings) {
        Duration timeout = settings.duration(BROKER_TIMEOUT);
        if (timeout.isZero()) {
            throw new io.rnnstream.stream.config.ConfigException(
                    BROKER_TIMEOUT.key() + ": expected a positive duration, got 0");
        }
        return new TopicSettings(
                settings.bool(TOPICS_CREATE),
                settings.positiveInt(TOPICS_PARTITIONS),
                settings.nonNegativeInt(TOPICS_REPLICATION_FACTOR),
                timeout);
    }
}
