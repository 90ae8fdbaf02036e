package io.rnnstream.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line checker a test runs (docker-compose, dockerfile-utils, shellcheck, promtool).
 * {@code .ci/run} installs them; in CI ({@code CI=true}) a missing tool fails the test, elsewhere
 * it skips it with the install command.
 *
 * @param name the executable, looked up on the PATH
 * @param install the command that installs it, for the skip or failure message
 */
public record ExternalTool(String name, String install) {

    /** The result of one run: exit code and combined output. */
    public record Run(int exitCode, String output) {}

    /** The tool's path; fails in CI and skips elsewhere when it is not on the PATH. */
    public Path require() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = name + " is not on the PATH; install it with: " + install;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " (.ci/run does this in CI)");
        }
        Assumptions.abort(message);
        return null;
    }

    /** Runs the tool with {@code args} in {@code workingDirectory}, for at most 60 s. */
    public Run run(Path workingDirectory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require().toString());
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command)
                        .directory(workingDirectory.toFile())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within 60 s");
        }
        return new Run(process.exitValue(), output.strip());
    }
}
