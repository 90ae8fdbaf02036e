package io.rnnstream.cli;

import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.model.ModelLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            "Settings come from --config FILE and/or trailing --key value pairs; see the README's"
                    + " configuration table. On a Flink cluster, submit the stream-job jar with"
                    + " 'flink run' instead."
        })
final class StreamCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with the job settings.")
    Path config;

    /** Trailing {@code --key value} settings, e.g. {@code --bootstrap.servers localhost:9092}. */
    @Unmatched List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        StreamJobConfig settings;
        ClassifierJob job;
        try {
            settings = StreamJobConfig.load(config, overrides.toArray(String[]::new));
            job = new ClassifierJob(settings, new ModelLoader());
            job.checkBroker();
        } catch (ConfigException e) {
            throw new CliFailure(e.getMessage());
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(env);
        env.execute("rnnstream classifier");
        return 0;
    }
}
