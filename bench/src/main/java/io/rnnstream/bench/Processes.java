package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a helper process (the PyTorch scripts, a DL4J training JVM) whose last stdout line is one
 * JSON object; its stderr goes to a log file next to the results, so failures can be read later.
 */
final class Processes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Processes() {}

    static JsonNode runForJson(List<String> command, Map<String, String> environment, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        List<String> lines = new ArrayList<>(stdout.lines().filter(l -> !l.isBlank()).toList());
        if (exit != 0 || lines.isEmpty() || !lines.get(lines.size() - 1).startsWith("{")) {
            throw new IOException(
                    String.join(" ", command)
                            + " exited with "
                            + exit
                            + " and no JSON result; see "
                            + log
                            + (lines.isEmpty()
                                    ? ""
                                    : "; last output: " + lines.get(lines.size() - 1)));
        }
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    /**
     * The JVM options the launchers ({@code ./rnnstream}, {@code docker/rnnstream}) give the
     * commands that train, besides {@code JAVA_OPTS}' default heap: the bench's training JVMs run
     * as those commands do.
     */
    static final List<String> TRAINING_JVM_OPTIONS =
            List.of("-Xmx3g", "-XX:+UseParallelGC", "-XX:MetaspaceSize=128m");

    /**
     * The java binary of this JVM and its class path, to start a sibling JVM that trains, with the
     * launchers' {@link #TRAINING_JVM_OPTIONS}.
     */
    static List<String> javaCommand(String mainClass, List<String> args) {
        return javaCommand(mainClass, args, List.of(), List.of());
    }

    /**
     * As {@link #javaCommand(String, List)}, with extra JVM options (after the launchers', so that
     * they take precedence) and jars appended to the class path.
     */
    static List<String> javaCommand(
            String mainClass, List<String> args, List<String> jvmOptions, List<Path> extraJars) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(TRAINING_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-cp");
        StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
        for (Path jar : extraJars) {
            classPath.append(File.pathSeparator).append(jar.toAbsolutePath());
        }
        command.add(classPath.toString());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** The Python interpreter the suite uses: Debian's, where python3-torch is installed. */
    static String python() {
        String configured = System.getenv("BENCH_PYTHON");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Copies a script from the class path into {@code dir}, so Python can run it. */
    static Path script(String name, Path dir) throws IOException {
        Path target = dir.resolve(name);
        try (var in = Processes.class.getResourceAsStream("/python/" + name)) {
            if (in == null) {
                throw new IOException("script " + name + " is not on the class path");
            }
            Files.write(target, in.readAllBytes());
        }
        return target;
    }
}
