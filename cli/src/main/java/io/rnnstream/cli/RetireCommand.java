package io.rnnstream.cli;

import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Takes a shadow version out of its model's shadows, e.g. one that loses against serving. */
@Command(
        name = "retire",
        mixinStandardHelpOptions = true,
        description = {
            "Announces a running shadow version as retired: the stream starts it on no further"
                    + " sequence (sequences in progress finish on it, their results still reach"
                    + " the shadow topic and the live evaluation), the policy never promotes it,"
                    + " and it frees its place among the model's shadows. The decision is recorded"
                    + " on the evaluations topic.",
            "Only a shadow can be retired; announcing it as a shadow again runs it again."
        })
final class RetireCommand implements Callable<Integer> {

    @Mixin ServingOptions options;

    @Option(
            names = "--version",
            required = true,
            paramLabel = "VERSION",
            description = "The shadow version to retire.")
    long version;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelTopicClient client = options.client();
        ModelTopicClient.Announced announced = client.read(options.model);
        ModelAnnouncement target = announced.version(version);
        ModelAnnouncement serving = announced.serving();
        List<Long> shadows = announced.shadows();
        if (!shadows.contains(version)) {
            throw new CliFailure(
                    "--version: model "
                            + options.model
                            + " version "
                            + version
                            + (serving != null && serving.version() == version
                                    ? " serves; promote or roll back to another version first"
                                    : " runs as no shadow; its shadows: " + shadows));
        }
        client.announce(
                new RoleAnnouncement(target, ModelRole.RETIRED, false),
                "retire",
                PromoteCommand.previous(serving));
        spec.commandLine()
                .getOut()
                .printf(
                        "model %s shadow version %d retired (serving: %s)%n",
                        options.model,
                        version,
                        serving == null ? "none" : "version " + serving.version());
        return 0;
    }
}
