package io.rnnstream.cli;

import io.rnnstream.stream.topics.BrokerException;
import io.rnnstream.stream.topics.KafkaTopics;
import io.rnnstream.stream.topics.TopicSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnstream topics create|check|list}: the topics of a job's settings file, created or
 * checked as the job itself does at start-up, and the topics of a cluster listed.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        versionProvider = Rnnstream.Version.class,
        description =
                "Creates or checks the topics a job's settings file names (the stream job's events,"
                        + " results, dead-letters and compacted models topics; the retraining"
                        + " job's labelled and models topics), or lists a cluster's topics.",
        subcommands = {
            TopicsCommand.Create.class,
            TopicsCommand.Check.class,
            TopicsCommand.ListTopics.class
        })
final class TopicsCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand: create, check or list");
    }

    /** The options of a command that works from a job's settings file. */
    static class FromSettings {
        @Option(
                names = "--config",
                required = true,
                paramLabel = "FILE",
                description = "The stream or retrain job's settings file.")
        Path config;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                converter = KafkaOptions.DurationConverter.class,
                description = "How long to wait for the brokers (default: broker.timeout, 30 s).")
        Duration timeout;

        Map<String, String> overrides() {
            Map<String, String> overrides = new HashMap<>();
            if (timeout != null) {
                overrides.put("broker.timeout", timeout.toMillis() + " ms");
            }
            return overrides;
        }
    }

    /** Creates the missing topics of a job. */
    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            versionProvider = Rnnstream.Version.class,
            description =
                    "Creates the topics of the job whose settings --config holds that do not exist"
                            + " yet; the models topic compacted with one partition. Exit code 0"
                            + " when every topic exists afterwards.")
    static final class Create extends FromSettings implements Callable<Integer> {

        @Option(
                names = "--partitions",
                paramLabel = "N",
                description = "Partitions of each created topic (default: topics.partitions, 1).")
        Integer partitions;

        @Option(
                names = "--replication-factor",
                paramLabel = "N",
                description =
                        "Replicas of each created topic (default: topics.replication-factor, 0 ="
                                + " the broker's default).")
        Integer replicationFactor;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, String> overrides = overrides();
            if (partitions != null) {
                overrides.put("topics.partitions", partitions.toString());
            }
            if (replicationFactor != null) {
                overrides.put("topics.replication-factor", replicationFactor.toString());
            }
            JobTopics job = JobTopics.load(config, overrides);
            KafkaTopics client = job.client();
            List<TopicSpec> created = failing(() -> client.createMissing(job.topics()));
            PrintWriter out = spec.commandLine().getOut();
            for (TopicSpec topic : job.topics()) {
                out.println(
                        created.contains(topic)
                                ? "created  " + describe(client.newTopic(topic), topic)
                                : "exists   " + topic.name() + " (" + topic.setting() + ")");
            }
            out.flush();
            return 0;
        }
    }

    /** Says which topics of a job exist; exit code 1 when any is missing. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            versionProvider = Rnnstream.Version.class,
            description =
                    "Checks that the topics of the job whose settings --config holds exist, as the"
                            + " job does at start-up. Exit code 0 when all exist, 1 when any is"
                            + " missing.")
    static final class Check extends FromSettings implements Callable<Integer> {

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JobTopics job = JobTopics.load(config, overrides());
            List<TopicSpec> missing = failing(() -> job.client().missing(job.topics()));
            PrintWriter out = spec.commandLine().getOut();
            for (TopicSpec topic : job.topics()) {
                out.println(
                        (missing.contains(topic) ? "missing  " : "exists   ")
                                + topic.name()
                                + " ("
                                + topic.setting()
                                + ")");
            }
            out.flush();
            if (!missing.isEmpty()) {
                throw new CliFailure(
                        missing.size()
                                + " of "
                                + job.topics().size()
                                + " topics missing at "
                                + job.bootstrapServers()
                                + "; create them with 'rnnstream topics create --config "
                                + config
                                + "'");
            }
            return 0;
        }
    }

    /** Lists a cluster's topics. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            versionProvider = Rnnstream.Version.class,
            description = "Lists the topics at --bootstrap-server, one per line.")
    static final class ListTopics implements Callable<Integer> {

        @CommandLine.Mixin KafkaOptions kafka;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Brokers.topics(kafka, "list topics").stream()
                    .filter(name -> !name.startsWith("__"))
                    .sorted()
                    .forEach(out::println);
            out.flush();
            return 0;
        }
    }

    private static <T> T failing(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (BrokerException e) {
            throw new CliFailure(e.getMessage());
        }
    }

    /** {@code name (setting, N partitions[, compacted])}. */
    private static String describe(NewTopic topic, TopicSpec spec) {
        int partitions = topic.numPartitions();
        return topic.name()
                + " ("
                + spec.setting()
                + ", "
                + partitions
                + (partitions == 1 ? " partition" : " partitions")
                + (spec.compacted() ? ", compacted" : "")
                + ")";
    }
}
