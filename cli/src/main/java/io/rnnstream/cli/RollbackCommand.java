package io.rnnstream.cli;

import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Serves an older, still stored version again: the one explicit way back. */
@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        description = {
            "Announces an older version as the serving version again, marked as a rollback (the"
                    + " stream refuses older versions otherwise). The artifact is read and verified"
                    + " against its announced digest first, so a version no longer in the store is"
                    + " refused here, not in the stream. Sequences that start afterwards are served"
                    + " by it; sequences in progress finish on their version. The decision is"
                    + " recorded on the evaluations topic."
        })
final class RollbackCommand implements Callable<Integer> {

    @Mixin ServingOptions options;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "VERSION",
            description = "The older version to serve.")
    long to;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelTopicClient client = options.client();
        ModelTopicClient.Announced announced = client.read(options.model);
        ModelAnnouncement serving = announced.serving();
        ModelAnnouncement target = announced.version(to);
        if (serving == null || target.version() >= serving.version()) {
            throw new CliFailure(
                    "--to: a rollback goes to an older version than the serving one ("
                            + (serving == null ? "none" : "version " + serving.version())
                            + "); use 'rnnstream promote --version "
                            + to
                            + "' for a newer one");
        }
        try {
            new ModelLoader().load(target);
        } catch (Exception e) {
            throw new CliFailure(
                    "--to: model "
                            + options.model
                            + " version "
                            + to
                            + " cannot be served from "
                            + target.uri()
                            + ": "
                            + e.getMessage());
        }
        client.announce(
                new RoleAnnouncement(target, ModelRole.SERVING, true),
                "rollback",
                serving.version());
        spec.commandLine()
                .getOut()
                .printf(
                        "model %s rolled back to version %d (was version %d)%n",
                        options.model, target.version(), serving.version());
        return 0;
    }
}
