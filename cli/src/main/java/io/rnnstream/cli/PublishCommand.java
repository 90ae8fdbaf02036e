package io.rnnstream.cli;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.retrain.ModelPublisher;
import io.rnnstream.retrain.RetrainConfig;
import io.rnnstream.retrain.RetrainException;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.model.FlinkFileSystemSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Copies an existing model artifact into the model store and announces it (the first model). */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = {
            "Puts a trained model artifact into the model store as <store>/<name>/<version>"
                    + " (name and version from its manifest) and announces it on the models"
                    + " topic, after verifying every file against the manifest's digests.",
            "Safe to repeat: a version already in the store with the same digest is kept, and"
                    + " nothing is announced when the topic already announces this model at this"
                    + " version or a newer one. The Helm chart's pre-install hook runs it for"
                    + " model.initial.",
            "Settings from --config FILE (bootstrap.servers, topic.models, model.store, kafka.*;"
                    + " other keys are ignored, so a job's settings file will do); the options"
                    + " below override them. Exit code 0 when the model is in the store and"
                    + " announced, 1 on a failure, 2 on bad settings."
        })
final class PublishCommand implements Callable<Integer> {

    private static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    RetrainConfig.BOOTSTRAP_SERVERS,
                    RetrainConfig.TOPIC_MODELS,
                    RetrainConfig.MODEL_STORE);

    @Option(
            names = "--model",
            required = true,
            paramLabel = "SOURCE",
            description =
                    "The artifact directory: a path, a file:// or other Flink FileSystem URI"
                            + " (s3://... with the plugin enabled), or an http(s):// URL under"
                            + " which its files are served.")
    String model;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file.")
    Path config;

    @Option(
            names = {"--bootstrap-server", "--bootstrap-servers"},
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (bootstrap.servers).")
    String bootstrapServers;

    @Option(
            names = "--store",
            paramLabel = "URI",
            description = "The model store, a directory or Flink FileSystem URI (model.store).")
    String store;

    @Option(
            names = "--models-topic",
            paramLabel = "TOPIC",
            description = "The topic the stream job reads announcements from (topic.models).")
    String modelsTopic;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Refuse an artifact whose manifest names another model.")
    String name;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Settings settings;
        try {
            Map<String, String> raw = new HashMap<>();
            Settings.read(config, new String[0])
                    .forEach(
                            (key, value) -> {
                                if (key.startsWith("kafka.")
                                        || OPTIONS.stream().anyMatch(o -> o.key().equals(key))) {
                                    raw.put(key, value);
                                }
                            });
            putIfSet(raw, RetrainConfig.BOOTSTRAP_SERVERS, bootstrapServers);
            putIfSet(raw, RetrainConfig.MODEL_STORE, store);
            putIfSet(raw, RetrainConfig.TOPIC_MODELS, modelsTopic);
            settings = Settings.of(raw, OPTIONS);
            settings.required(RetrainConfig.BOOTSTRAP_SERVERS);
            settings.required(RetrainConfig.MODEL_STORE);
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ArtifactSource source =
                HttpArtifactSource.handles(model)
                        ? new HttpArtifactSource(model)
                        : new FlinkFileSystemSource(model);
        ModelPublisher.Result result;
        try {
            result =
                    new ModelPublisher(
                                    settings.required(RetrainConfig.MODEL_STORE),
                                    settings.required(RetrainConfig.BOOTSTRAP_SERVERS),
                                    settings.get(RetrainConfig.TOPIC_MODELS),
                                    settings.kafkaProperties())
                            .publish(source, name);
        } catch (ArtifactException | RetrainException e) {
            throw new CliFailure(e.getMessage());
        } catch (KafkaException e) {
            throw new CliFailure(
                    "cannot reach the models topic at "
                            + settings.required(RetrainConfig.BOOTSTRAP_SERVERS)
                            + ": "
                            + Rnnstream.message(e));
        }
        PrintWriter out = spec.commandLine().getOut();
        String id = result.name() + " v" + result.version();
        out.println(
                switch (result.outcome()) {
                    case PUBLISHED ->
                            "published "
                                    + id
                                    + " to "
                                    + result.uri()
                                    + (result.announcedVersion() >= result.version()
                                            ? "; not announced: the topic already announces v"
                                                    + result.announcedVersion()
                                            : " and announced it");
                    case ANNOUNCED ->
                            id + " was in the store at " + result.uri() + "; announced it";
                    case UNCHANGED ->
                            id
                                    + " is in the store at "
                                    + result.uri()
                                    + " and the topic announces v"
                                    + result.announcedVersion()
                                    + "; nothing to do";
                });
        out.flush();
        return 0;
    }

    private static void putIfSet(Map<String, String> raw, ConfigOption<String> option, String v) {
        if (v != null) {
            raw.put(option.key(), v);
        }
    }
}
