package io.rnnstream.cli;

import io.rnnstream.retrain.RetrainConfig;
import io.rnnstream.retrain.RetrainException;
import io.rnnstream.retrain.RetrainJob;
import io.rnnstream.retrain.RetrainReport;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.topics.BrokerException;
import io.rnnstream.stream.topics.MissingTopicsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** Runs one retraining round locally: read, train, gate, publish, report. */
@Command(
        name = "retrain",
        mixinStandardHelpOptions = true,
        description = {
            "Retrains a model from labelled events in Kafka (and optional labelled files),"
                    + " compares it with the version in service on the same held-out data, and"
                    + " publishes it to the model store and the model topic only if it is not"
                    + " worse by more than gate.margin. Without a readable version in service it"
                    + " publishes nothing (rejected-no-baseline) unless --first-version is given."
                    + " Writes a report of the decision.",
            "Settings come from --config FILE and/or trailing --key value pairs; see the README's"
                    + " retraining section. Exit code 0 when the run completes (published or"
                    + " rejected: see the report), 1 on a failure (unreachable brokers, a missing"
                    + " topic), 2 on bad settings.",
            "On a Flink cluster, run io.rnnstream.retrain.RetrainJob with 'flink run' instead."
        })
final class RetrainCommand implements Callable<Integer> {

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Properties file with the retraining settings.")
    Path config;

    @picocli.CommandLine.Mixin JobBrokerOptions broker;

    @Option(
            names = "--no-progress",
            description =
                    "Print one line per epoch instead of a bar (always so when standard output"
                            + " is not a terminal).")
    boolean noProgress;

    @Option(
            names = "--first-version",
            description =
                    "Publish the model's first version without comparison (gate.first-version:"
                            + " true, recorded in the report). Refused when a version is"
                            + " announced, in the store or set as model.initial.uri; without it,"
                            + " a run that finds no readable version in service stops with"
                            + " rejected-no-baseline.")
    boolean firstVersion;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    /** Trailing {@code --key value} settings, e.g. {@code --model.name sentiment}. */
    @Unmatched List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> raw =
                new HashMap<>(Settings.read(config, overrides.toArray(String[]::new)));
        broker.applyTo(raw);
        if (firstVersion) {
            raw.put(RetrainConfig.GATE_FIRST_VERSION.key(), "true");
        }
        // A bad setting is a ConfigException: exit code 2, like a bad option.
        RetrainConfig settings = RetrainConfig.fromMap(raw);
        RetrainReport report;
        try (EpochProgress progress =
                new EpochProgress(settings.training().maxEpochs(), !noProgress)) {
            report =
                    new RetrainJob(settings, progress)
                            .run(
                                    StreamExecutionEnvironment.getExecutionEnvironment(
                                            RetrainJob.flinkConfiguration()));
        } catch (RetrainException | BrokerException | MissingTopicsException e) {
            throw new CliFailure(e.getMessage());
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.print(report.summary());
        out.println("report: " + settings.reportFile().toAbsolutePath());
        out.flush();
        return 0;
    }
}
