package io.rnnstream.testkit.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A Flink standalone session cluster as a distribution's scripts start it: a JobManager and a
 * TaskManager in separate JVMs, from Flink's jars, every address on loopback, and the Flink CLI
 * ({@code flink run}, {@code flink stop}) run as a third kind of process. A test can kill the
 * TaskManager's JVM ({@link #killTaskManager}, SIGKILL) and start a replacement ({@link
 * #startTaskManager}), as a supervisor such as Kubernetes would. Everything it starts it stops in
 * {@link #close()}.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JVM flags Flink's scripts pass on Java 17 ({@code env.java.opts.all} defaults). */
    private static final List<String> JAVA_17_OPENS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /**
     * The TaskManager's JVM options, as deployments set them ({@code env.java.opts.taskmanager} in
     * docker-compose.yml and the Helm chart): the serving step's SIMD kernels.
     */
    public static final String TASK_MANAGER_JVM_OPTIONS = "--add-modules=jdk.incubator.vector";

    private final Path home;
    private final String classpath;
    private final URI rest;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private final Set<Process> killed = new HashSet<>();

    private StandaloneFlinkCluster(Path home, String classpath, int restPort) {
        this.home = home;
        this.classpath = classpath;
        this.rest = URI.create("http://127.0.0.1:" + restPort + "/");
    }

    /**
     * Writes {@code home/conf}, starts the JobManager and one TaskManager with {@code slots} slots
     * and waits until the TaskManager has registered.
     */
    public static StandaloneFlinkCluster start(Path home, int slots, Duration timeout)
            throws Exception {
        return start(home, slots, timeout, Map.of());
    }

    /**
     * As {@link #start(Path, int, Duration)}, with {@code settings} added to or replacing the
     * cluster's configuration ({@code config.yaml}); the Flink CLI reads the same file, so job
     * defaults such as {@code execution.checkpointing.timeout} apply to every submitted job.
     */
    public static StandaloneFlinkCluster start(
            Path home, int slots, Duration timeout, Map<String, String> settings) throws Exception {
        StandaloneFlinkCluster cluster =
                new StandaloneFlinkCluster(home, FlinkClasspath.fromTestClasspath(), freePort());
        try {
            cluster.writeConfiguration(slots, settings);
            cluster.launch(
                    "jobmanager",
                    "GET_JM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            cluster.launch(
                    "taskmanager",
                    "GET_TM_RESOURCE_PARAMS",
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            cluster.awaitSlots(slots, timeout);
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Kills the newest TaskManager's JVM with SIGKILL ({@link Process#destroyForcibly()} on Unix),
     * as a crash or a lost machine would: no shutdown hooks, no deregistration, so the JobManager
     * learns of the loss only from failed heartbeats and broken connections.
     *
     * @return the killed process's id
     */
    public long killTaskManager() throws InterruptedException {
        Process taskManager = List.copyOf(taskManagers.values()).get(taskManagers.size() - 1);
        long pid = taskManager.pid();
        killed.add(taskManager);
        taskManager.destroyForcibly();
        if (!taskManager.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("TaskManager " + pid + " still alive after SIGKILL");
        }
        return pid;
    }

    /**
     * Starts another TaskManager JVM with the configured slots (its log is {@code
     * taskmanager-<n>}), e.g. the replacement of a killed one, and waits until it has registered.
     * Its slots may be taken at once by a job waiting for them, so registration, not free slots, is
     * what this waits for.
     */
    public void startTaskManager(Duration timeout) throws Exception {
        Set<String> before = registeredTaskManagers();
        String name = "taskmanager-" + (taskManagers.size() + 1);
        launch(
                name,
                "GET_TM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (before.containsAll(registeredTaskManagers())) {
            if (!taskManagers.get(name).isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        name + " did not register within " + timeout + ":\n" + logTail(name));
            }
            Thread.sleep(200);
        }
    }

    /** The log name of the newest TaskManager, for {@link #logTail}. */
    public String newestTaskManager() {
        return List.copyOf(taskManagers.keySet()).get(taskManagers.size() - 1);
    }

    public Path conf() {
        return home.resolve("conf");
    }

    public Path checkpoints() {
        return home.resolve("checkpoints");
    }

    /**
     * Runs the Flink CLI ({@code org.apache.flink.client.cli.CliFrontend}) with the cluster's
     * configuration and returns its output; a non-zero exit fails with that output.
     */
    public String flink(String... args) throws Exception {
        List<String> command = java();
        command.add("org.apache.flink.client.cli.CliFrontend");
        command.addAll(List.of(args));
        Path log = Files.createTempFile(home, "flink-cli-", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FLINK_CONF_DIR", conf().toString());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("flink " + String.join(" ", args) + " did not finish");
        }
        String output = Files.readString(log);
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "flink "
                            + String.join(" ", args)
                            + " exited with "
                            + process.exitValue()
                            + ":\n"
                            + output);
        }
        return output;
    }

    /** A GET on the JobManager's REST API. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest.resolve(path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Cancels a job through the REST API (no CLI JVM to start; used for clean-up). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(rest.resolve("jobs/" + jobId + "?mode=cancel"))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IOException(
                    "cancel "
                            + jobId
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
    }

    /** The job's state as the JobManager reports it (RUNNING, FINISHED, ...). */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return rest("jobs/" + jobId).get("state").asText();
    }

    /** Waits until the job and all its tasks are RUNNING. */
    public void awaitRunning(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = rest("jobs/" + jobId);
            boolean allRunning = job.get("state").asText().equals("RUNNING");
            for (JsonNode vertex : job.get("vertices")) {
                allRunning &= vertex.get("status").asText().equals("RUNNING");
            }
            if (allRunning) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "job " + jobId + " not running after " + timeout + ": " + rest("jobs/" + jobId));
    }

    /** Whether a process log ({@code jobmanager}, {@code taskmanager}) has a line with text. */
    public boolean logContains(String name, String text) throws IOException {
        return Files.readAllLines(home.resolve("log").resolve(name + ".log")).stream()
                .anyMatch(line -> line.contains(text));
    }

    /** The last lines of a process log, for failure messages. */
    public String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(home.resolve("log").resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no " + name + " log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void writeConfiguration(int slots, Map<String, String> settings) throws IOException {
        Files.createDirectories(conf());
        Files.createDirectories(home.resolve("log"));
        Map<String, String> yaml = new LinkedHashMap<>();
        yaml.put("jobmanager.rpc.address", "127.0.0.1");
        yaml.put("jobmanager.rpc.port", Integer.toString(freePort()));
        yaml.put("jobmanager.bind-host", "127.0.0.1");
        yaml.put("taskmanager.bind-host", "127.0.0.1");
        yaml.put("taskmanager.host", "127.0.0.1");
        yaml.put("rest.address", "127.0.0.1");
        yaml.put("rest.bind-address", "127.0.0.1");
        yaml.put("rest.port", Integer.toString(rest.getPort()));
        yaml.put("jobmanager.memory.process.size", "768m");
        yaml.put("taskmanager.memory.process.size", "1280m");
        // The job keeps its state on the heap; managed memory is RocksDB's.
        yaml.put("taskmanager.memory.managed.fraction", "0.1");
        yaml.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        yaml.put("env.java.opts.taskmanager", TASK_MANAGER_JVM_OPTIONS);
        yaml.put("parallelism.default", Integer.toString(slots));
        // Retry registration every second instead of every ten.
        yaml.put("cluster.registration.error-delay", "1000 ms");
        yaml.put("state.backend.type", "hashmap");
        yaml.put("execution.checkpointing.dir", checkpoints().toUri().toString());
        yaml.put("restart-strategy.type", "fixed-delay");
        yaml.put("restart-strategy.fixed-delay.attempts", "3");
        yaml.put("restart-strategy.fixed-delay.delay", "1 s");
        yaml.putAll(settings);
        StringBuilder text = new StringBuilder();
        yaml.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        Files.writeString(conf().resolve("config.yaml"), text);
        Files.writeString(
                conf().resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.console.ref = console",
                        "appender.console.type = Console",
                        "appender.console.name = console",
                        "appender.console.layout.type = PatternLayout",
                        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        ""));
    }

    /**
     * Starts one cluster process with the memory flags and dynamic properties that Flink's {@code
     * BashJavaUtils} derives from the configuration, as the distribution's scripts do.
     */
    private void launch(String name, String resourceCommand, String mainClass) throws Exception {
        List<String> resources = resourceParameters(resourceCommand);
        List<String> command = java();
        command.addAll(1, List.of(resources.get(0).split(" ")));
        boolean taskManager = name.startsWith("taskmanager");
        if (taskManager) {
            // What taskmanager.sh adds from env.java.opts.taskmanager.
            command.addAll(1, List.of(TASK_MANAGER_JVM_OPTIONS.split(" ")));
        }
        command.add(mainClass);
        command.add("--configDir");
        command.add(conf().toString());
        command.addAll(List.of(resources.get(1).split(" ")));
        Path log = home.resolve("log").resolve(name + ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        processes.add(process);
        if (taskManager) {
            taskManagers.put(name, process);
        }
    }

    private List<String> resourceParameters(String resourceCommand) throws Exception {
        List<String> command = java();
        command.add("org.apache.flink.runtime.util.bash.BashJavaUtils");
        command.add(resourceCommand);
        command.add("--configDir");
        command.add(conf().toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        String marker = "BASH_JAVA_UTILS_EXEC_RESULT:";
        List<String> results =
                output.lines()
                        .filter(line -> line.startsWith(marker))
                        .map(line -> line.substring(marker.length()).strip())
                        .toList();
        if (process.exitValue() != 0 || results.size() != 2) {
            throw new AssertionError("BashJavaUtils " + resourceCommand + " failed:\n" + output);
        }
        return results;
    }

    private List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JAVA_17_OPENS);
        command.add("-Dlog4j.configurationFile=" + conf().resolve("log4j.properties").toUri());
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    private void awaitSlots(int slots, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive() && !killed.contains(process)) {
                    throw new AssertionError(
                            "a cluster process exited with "
                                    + process.exitValue()
                                    + "\njobmanager:\n"
                                    + logTail("jobmanager")
                                    + "\ntaskmanager:\n"
                                    + logTail("taskmanager"));
                }
            }
            try {
                JsonNode overview = rest("overview");
                last = overview.toString();
                if (overview.get("slots-available").asInt() >= slots) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(
                "TaskManager did not register within "
                        + timeout
                        + " ("
                        + last
                        + ")\ntaskmanager:\n"
                        + logTail(newestTaskManager()));
    }

    /** The ids of the TaskManagers registered with the JobManager (killed ones until noticed). */
    private Set<String> registeredTaskManagers() throws IOException, InterruptedException {
        Set<String> ids = new HashSet<>();
        rest("taskmanagers").get("taskmanagers").forEach(tm -> ids.add(tm.get("id").asText()));
        return ids;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
