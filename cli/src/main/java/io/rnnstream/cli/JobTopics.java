package io.rnnstream.cli;

import io.rnnstream.retrain.RetrainConfig;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.topics.KafkaTopics;
import io.rnnstream.stream.topics.TopicSettings;
import io.rnnstream.stream.topics.TopicSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The topics named by a job's settings file, of the stream job or of the retraining job (a file
 * holds the settings of one job only, so the one that accepts it decides).
 *
 * @param job {@code stream} or {@code retrain}
 */
record JobTopics(
        String job,
        String bootstrapServers,
        Map<String, String> kafkaProperties,
        TopicSettings settings,
        List<TopicSpec> topics) {

    /** Reads {@code file} with {@code overrides} (setting keys) on top. */
    static JobTopics load(Path file, Map<String, String> overrides) {
        Map<String, String> raw =
                new java.util.HashMap<>(
                        io.rnnstream.stream.config.Settings.read(file, new String[0]));
        raw.putAll(overrides);
        ConfigException asStream;
        try {
            StreamJobConfig stream = StreamJobConfig.fromMap(raw);
            return new JobTopics(
                    "stream",
                    stream.bootstrapServers(),
                    stream.kafkaProperties(),
                    stream.topicSettings(),
                    stream.topics());
        } catch (ConfigException e) {
            asStream = e;
        }
        try {
            RetrainConfig retrain = RetrainConfig.fromMap(raw);
            return new JobTopics(
                    "retrain",
                    retrain.bootstrapServers(),
                    retrain.kafkaProperties(),
                    retrain.topicSettings(),
                    retrain.topics());
        } catch (ConfigException asRetrain) {
            // Report the job whose settings the file resembles: the one whose complaint is not
            // an unknown key.
            boolean streamKeys = !asStream.getMessage().startsWith("unknown setting");
            throw new ConfigException(
                    "--config "
                            + file
                            + ": "
                            + (streamKeys
                                    ? "as stream settings: " + asStream.getMessage()
                                    : "as retrain settings: " + asRetrain.getMessage()));
        }
    }

    KafkaTopics client() {
        return new KafkaTopics(kafkaProperties, bootstrapServers, settings);
    }
}
