package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this test classpath in a fresh JVM, for settings that JavaCPP fixes when
 * ND4J first loads in a process.
 */
final class ChildJvm {

    /** What the child printed and how it exited. */
    record Result(int exit, String out, String err) {}

    private ChildJvm() {}

    /**
     * Runs {@code main} with {@code args}, {@code jvmOptions} and the environment changed by {@code
     * environment} (a null value removes the variable); fails the test if it does not end within
     * {@code timeoutSeconds}.
     */
    static Result run(
            Class<?> main,
            List<String> args,
            Map<String, String> environment,
            long timeoutSeconds,
            String... jvmOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        environment.forEach(
                (name, value) -> {
                    if (value == null) {
                        builder.environment().remove(name);
                    } else {
                        builder.environment().put(name, value);
                    }
                });
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out, err);
    }
}
