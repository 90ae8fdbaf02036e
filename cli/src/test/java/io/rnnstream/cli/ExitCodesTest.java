package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.cli.RnnstreamCliTest.Result;
import io.rnnstream.stream.config.RnnstreamVersion;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit-code convention (0 ok, 1 runtime failure, 2 usage or configuration error) and the
 * messages of the error paths that need no broker, or need one that is not there.
 */
class ExitCodesTest {

    @TempDir Path work;

    private static Result rnnstream(String... args) {
        return RnnstreamCliTest.rnnstream(args);
    }

    @Test
    void versionPrintsTheReleaseOnTheCommandAndItsSubcommands() {
        for (String[] args :
                new String[][] {
                    {"--version"}, {"-V"}, {"tail", "--version"}, {"topics", "create", "-V"}
                }) {
            Result result = rnnstream(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(result.out())
                    .as(String.join(" ", args))
                    .startsWith("rnnstream " + RnnstreamVersion.get());
        }
        assertThat(RnnstreamVersion.get()).isNotEqualTo("unknown");
    }

    @Test
    void aFileWhoseFormatCannotBeToldIsAUsageError() throws IOException {
        Path readme = work.resolve("README.md");
        Files.writeString(readme, "# rnnstream\n\nrnnstream classifies event sequences.\n");

        Result result =
                rnnstream("evaluate", "--model", work.toString(), "--data", readme.toString());

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(result.err())
                .isEqualTo(
                        "rnnstream: --data: cannot tell the format of "
                                + readme
                                + ": its name does not end in .ts or .jsonl and its first line is"
                                + " not a VADER line (id<TAB>rating<TAB>text); give --format ts,"
                                + " vader or jsonl\n");
    }

    @Test
    void aVaderFileIsToldByItsFirstLine() throws IOException {
        Path vader = work.resolve("snippets.txt");
        Files.writeString(vader, "1\t2.5\ta gripping film\n2\t-1.5\ta dull film\n");

        Result result =
                rnnstream(
                        "produce",
                        "--data",
                        vader.toString(),
                        "--bootstrap-server",
                        "localhost:" + freePort(),
                        "--timeout",
                        "1s");

        assertThat(result.err())
                .as("read as VADER, then failed at the broker")
                .contains("cannot send");
        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
    }

    @Test
    void clientCommandsNeedABootstrapServer() {
        Result result = rnnstream("tail", "--topic", "x");

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(result.err())
                .startsWith("rnnstream: Missing required option: '--bootstrap-server=HOST:PORT'");
    }

    @Test
    void aSecretGivenWithXIsRefusedWithoutEchoingIt() {
        Result result =
                rnnstream(
                        "tail",
                        "--bootstrap-server",
                        "localhost:9092",
                        "-X",
                        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                                + " required username=\"u\" password=\"hunter2\";");

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(result.err())
                .startsWith(
                        "rnnstream: -X sasl.jaas.config is a secret and must not be given on the"
                                + " command line; put it in the --command-config file")
                .doesNotContain("hunter2");
    }

    @Test
    void aBadTimeoutIsAUsageError() {
        Result result =
                rnnstream("tail", "--bootstrap-server", "localhost:9092", "--timeout", "soon");

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(result.err()).contains("--timeout").contains("expected a duration");
    }

    @Test
    void aBadSettingIsAUsageErrorForStreamAsForRetrain() {
        Result stream =
                rnnstream(
                        "stream",
                        "--bootstrap-server",
                        "localhost:9092",
                        "--model.default",
                        "motion",
                        "--checkpoint.interval",
                        "often");
        assertThat(stream.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(stream.err())
                .isEqualTo(
                        "rnnstream: checkpoint.interval: expected a duration such as '30 s' or"
                                + " '5 min', got 'often'\n");

        Result retrain = rnnstream("retrain", "--model.nmae", "motions");
        assertThat(retrain.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(retrain.err()).startsWith("rnnstream: unknown setting 'model.nmae'");
    }

    @Test
    void topicsNeedsTheSettingsOfOneOfTheJobs() throws IOException {
        Path file = work.resolve("odd.properties");
        Files.writeString(file, "bootstrap.servers=localhost:9092\nwhatever=1\n");

        Result result = rnnstream("topics", "create", "--config", file.toString());

        assertThat(result.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(result.err()).startsWith("rnnstream: --config " + file + ": as ");
        assertThat(rnnstream("topics").exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
    }

    /**
     * Every command that talks to Kafka fails within its --timeout on a broker that is not there,
     * with one line naming the brokers, the step and the cause, and exit code 1.
     */
    @Test
    void anUnreachableBrokerFailsFastWithBrokerStepAndCause() throws IOException {
        String nobody = "localhost:" + freePort();
        Path stream = work.resolve("stream.properties");
        Files.writeString(stream, "bootstrap.servers=" + nobody + "\nmodel.default=motion\n");
        Path retrain = work.resolve("retrain.properties");
        Files.writeString(
                retrain,
                "bootstrap.servers="
                        + nobody
                        + "\nmodel.name=motion\nmodel.store="
                        + work.resolve("store")
                        + "\n");
        String data = work.resolve("d.jsonl").toString();
        Files.writeString(Path.of(data), "{\"features\": [[1.0]], \"label\": \"a\"}\n");
        String[][] commands = {
            {"produce", "--data", data, "--bootstrap-server", nobody, "--timeout", "2s"},
            {"tail", "--bootstrap-server", nobody, "--timeout", "2s"},
            {"topics", "list", "--bootstrap-server", nobody, "--timeout", "2s"},
            {"topics", "create", "--config", stream.toString(), "--timeout", "2s"},
            {"stream", "--config", stream.toString(), "--timeout", "2s"},
            {"retrain", "--config", retrain.toString(), "--timeout", "2s"}
        };
        String[] steps = {
            "send to topic 'events'",
            "read topic 'classifications'",
            "list topics",
            "list topics",
            "list topics",
            "list topics"
        };
        for (int i = 0; i < commands.length; i++) {
            long started = System.nanoTime();
            Result result = rnnstream(commands[i]);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(result.err())
                    .as(commands[i][0])
                    .startsWith(
                            "rnnstream: cannot "
                                    + steps[i]
                                    + " at "
                                    + nobody
                                    + " (waited up to 2 s): ")
                    .contains("TimeoutException")
                    .contains("is a broker running there and reachable from here?")
                    .doesNotContain("null");
            assertThat(result.err().lines()).as(commands[i][0]).hasSize(1);
            assertThat(result.exitCode()).as(commands[i][0]).isEqualTo(Rnnstream.EXIT_FAILURE);
            assertThat(took).as(commands[i][0]).isLessThan(Duration.ofSeconds(10));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
