package io.rnnstream.cli;

import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.topics.BrokerException;
import io.rnnstream.stream.topics.MissingTopicsException;
import io.rnnstream.stream.topics.TopicSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** Runs the streaming classifier on a local Flink runtime in this JVM until it is stopped. */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the streaming classifier locally against a Kafka cluster, until stopped (Ctrl-C).",
            "Settings come from --config FILE and/or trailing --key value pairs; see"
                    + " docs/settings-stream.md. Locally, missing topics are created"
                    + " (topics.create=true unless the settings say otherwise). On a Flink cluster,"
                    + " submit the stream-job jar with 'flink run' instead.",
            "Exit code 1 when the brokers cannot be reached or a topic is missing, 2 on a bad"
                    + " setting."
        })
final class StreamCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with the job settings.")
    Path config;

    @picocli.CommandLine.Mixin JobBrokerOptions broker;

    /** Trailing {@code --key value} settings, e.g. {@code --bootstrap.servers localhost:9092}. */
    @Unmatched List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> raw =
                new java.util.HashMap<>(Settings.read(config, overrides.toArray(String[]::new)));
        broker.applyTo(raw);
        // A local run is a developer's: create what is missing, unless told otherwise.
        raw.putIfAbsent(TopicSettings.TOPICS_CREATE.key(), "true");
        StreamJobConfig settings = StreamJobConfig.fromMap(raw);
        ClassifierJob job = new ClassifierJob(settings, new ModelLoader());
        try {
            // Logs each topic it creates.
            job.checkBroker();
        } catch (BrokerException | MissingTopicsException e) {
            throw new CliFailure(e.getMessage());
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(env);
        env.execute("rnnstream classifier");
        return 0;
    }
}
