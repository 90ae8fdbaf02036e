package io.rnnstream.cli;

import picocli.CommandLine.Option;

/** The options {@code promote}, {@code rollback} and {@code retire} share: where they announce. */
final class ServingOptions {

    @Option(
            names = {"--bootstrap-server", "--bootstrap-servers"},
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name.")
    String model;

    @Option(
            names = "--models-topic",
            defaultValue = "models",
            description = "The stream's model topic (default: ${DEFAULT-VALUE}).")
    String modelsTopic;

    @Option(
            names = "--evaluations-topic",
            defaultValue = "model-evaluations",
            description =
                    "Where the decision is recorded, beside the stream's own (default:"
                            + " ${DEFAULT-VALUE}).")
    String evaluationsTopic;

    ModelTopicClient client() {
        return new ModelTopicClient(bootstrapServers, modelsTopic, evaluationsTopic);
    }
}
