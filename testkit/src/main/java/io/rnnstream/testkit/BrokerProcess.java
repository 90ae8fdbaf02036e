package io.rnnstream.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft broker in its own JVM, started from the Kafka jars on the test
 * classpath, so a test can kill it (SIGKILL, as a crash) and start it again on the same port and
 * log directory. About 10 s to start. Optionally it has a second listener, {@code SASL}
 * (SASL_PLAINTEXT, mechanism PLAIN), that accepts one user; the PLAINTEXT listener stays for the
 * broker itself and the test's own clients.
 */
final class BrokerProcess {

    /** The name of the optional SASL/PLAIN listener. */
    static final String SASL_LISTENER = "SASL";

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final SaslUser saslUser;
    private final int saslPort;
    private Process process;

    /** The one user the SASL listener accepts. */
    record SaslUser(String name, String password) {
        SaslUser {
            // Both go into server.properties and a JAAS line unescaped.
            for (String part : List.of(name, password)) {
                if (!part.matches("[A-Za-z0-9_.-]+")) {
                    throw new IllegalArgumentException(
                            "SASL user name and password: letters, digits, '_', '.', '-' only");
                }
            }
        }
    }

    BrokerProcess(Path directory) throws IOException {
        this(directory, null);
    }

    /** A broker with a SASL/PLAIN listener for {@code saslUser}, or without one if null. */
    BrokerProcess(Path directory, SaslUser saslUser) throws IOException {
        this.directory = directory;
        this.port = freePort();
        this.controllerPort = freePort();
        this.saslUser = saslUser;
        this.saslPort = saslUser == null ? -1 : freePort();
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL/PLAIN listener's address; only for a broker with a SASL user. */
    String saslBootstrapServers() {
        if (saslUser == null) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** Formats the log directory and starts the broker. */
    void format(long maxTransactionTimeoutMs) throws Exception {
        Path properties = directory.resolve("server.properties");
        Files.writeString(properties, serverProperties(maxTransactionTimeoutMs));
        Process format =
                java(
                                "kafka.tools.StorageTool",
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                properties.toString())
                        .redirectOutput(directory.resolve("format.log").toFile())
                        .start();
        if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
            throw new IllegalStateException(
                    "formatting the broker's storage failed: "
                            + Files.readString(directory.resolve("format.log")));
        }
    }

    /** Starts the broker and waits until it answers. */
    void start() throws Exception {
        process =
                java("kafka.Kafka", directory.resolve("server.properties").toString())
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        directory.resolve("broker.log").toFile()))
                        .start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try (Admin admin =
                    Admin.create(
                            Map.of(
                                    "bootstrap.servers",
                                    bootstrapServers(),
                                    "default.api.timeout.ms",
                                    "2000",
                                    "request.timeout.ms",
                                    "1000"))) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the broker did not start; see " + directory.resolve("broker.log"),
                            notYet);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Kills the broker's JVM without warning, as a crash or a lost machine would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }

    void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private String serverProperties(long maxTransactionTimeoutMs) {
        String listeners = "PLAINTEXT://127.0.0.1:" + port;
        String protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
        List<String> sasl = new ArrayList<>();
        if (saslUser != null) {
            listeners += "," + SASL_LISTENER + "://127.0.0.1:" + saslPort;
            protocols += "," + SASL_LISTENER + ":SASL_PLAINTEXT";
            String prefix = "listener.name." + SASL_LISTENER.toLowerCase(Locale.ROOT) + ".";
            sasl.add(prefix + "sasl.enabled.mechanisms=PLAIN");
            // The server side of PLAIN: user_<name>="<password>" lists who may log in.
            sasl.add(
                    prefix
                            + "plain.sasl.jaas.config="
                            + "org.apache.kafka.common.security.plain.PlainLoginModule required"
                            + " user_"
                            + saslUser.name()
                            + "=\""
                            + saslUser.password()
                            + "\";");
        }
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "process.roles=broker,controller",
                                "node.id=1",
                                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                                "listeners="
                                        + listeners
                                        + ",CONTROLLER://127.0.0.1:"
                                        + controllerPort,
                                "advertised.listeners=" + listeners,
                                "controller.listener.names=CONTROLLER",
                                "listener.security.protocol.map=" + protocols,
                                "inter.broker.listener.name=PLAINTEXT",
                                "log.dirs=" + directory.resolve("data"),
                                "offsets.topic.replication.factor=1",
                                "offsets.topic.num.partitions=1",
                                "transaction.state.log.replication.factor=1",
                                "transaction.state.log.min.isr=1",
                                "transaction.state.log.num.partitions=1",
                                "transaction.max.timeout.ms=" + maxTransactionTimeoutMs,
                                "group.initial.rebalance.delay.ms=0"));
        lines.addAll(sasl);
        lines.add("");
        return String.join("\n", lines);
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-cp");
        command.add(classpath());
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    /** Surefire runs tests from a manifest-only jar and passes the real classpath separately. */
    private static String classpath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank()
                ? surefire
                : System.getProperty("java.class.path");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
