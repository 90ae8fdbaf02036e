package io.rnnstream.cli;

import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Makes an announced (shadow) version the serving version of its model by hand. */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = {
            "Announces an already announced version (usually a shadow) as the serving version of"
                    + " its model: the stream serves sequences that start afterwards with it, and"
                    + " sequences in progress finish on their version. The decision is recorded on"
                    + " the evaluations topic.",
            "Without --version, the newest announced version. Only a newer version than the one"
                    + " serving can be promoted; to go back, use 'rnnstream rollback'."
        })
final class PromoteCommand implements Callable<Integer> {

    @Mixin ServingOptions options;

    @Option(
            names = "--version",
            paramLabel = "VERSION",
            description = "Version to promote (default: the newest announced).")
    Long version;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelTopicClient client = options.client();
        ModelTopicClient.Announced announced = client.read(options.model);
        ModelAnnouncement serving = announced.serving();
        long wanted =
                version != null
                        ? version
                        : announced.all().stream()
                                .mapToLong(a -> a.version().version())
                                .max()
                                .orElseThrow(
                                        () ->
                                                new CliFailure(
                                                        "model "
                                                                + options.model
                                                                + " has no announced version on"
                                                                + " topic '"
                                                                + options.modelsTopic
                                                                + "'"));
        ModelAnnouncement target = announced.version(wanted);
        if (serving != null && target.version() <= serving.version()) {
            throw new CliFailure(
                    "--version: model "
                            + options.model
                            + " version "
                            + target.version()
                            + " is not newer than the serving version "
                            + serving.version()
                            + "; use 'rnnstream rollback --to "
                            + target.version()
                            + "' to serve an older version");
        }
        client.announce(RoleAnnouncement.serving(target), "promote", previous(serving));
        spec.commandLine()
                .getOut()
                .printf(
                        "model %s version %d announced as serving (was %s)%n",
                        options.model,
                        target.version(),
                        serving == null ? "none" : "version " + serving.version());
        return 0;
    }

    static long previous(ModelAnnouncement serving) {
        return serving == null ? 0 : serving.version();
    }
}
