package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's training JVMs run as the launchers start the commands that train: the image's
 * launcher, run with a {@code java} that prints the options it was given, gives {@code train},
 * {@code train-lm} and {@code retrain} every option of {@link Processes#TRAINING_JVM_OPTIONS}, the
 * serving commands none of the collector choice, and a collector or metaspace threshold named in
 * {@code JAVA_OPTS} wins; the checkout's launcher holds the same rule.
 */
class TrainingJvmOptionsTest {

    private static final Path ROOT = BenchSuite.findDataDirectory().getParent();
    private static final String PARALLEL = "-XX:+UseParallelGC";
    private static final String METASPACE = "-XX:MetaspaceSize=128m";

    @TempDir Path bin;

    @Test
    void theTrainingCommandsStartWithTheOptionsTheBenchUses() throws Exception {
        for (String command : List.of("train", "train-lm", "retrain")) {
            assertThat(launch(command, null))
                    .as(command)
                    .containsAll(Processes.TRAINING_JVM_OPTIONS);
        }
    }

    @Test
    void theServingCommandsKeepTheDefaultCollector() throws Exception {
        for (String command : List.of("stream", "demo", "evaluate")) {
            assertThat(launch(command, null)).as(command).doesNotContain(PARALLEL, METASPACE);
        }
    }

    @Test
    void aCollectorChosenInJavaOptsIsKept() throws Exception {
        List<String> options = launch("train", "-Xmx1g -XX:+UseG1GC");

        assertThat(options).contains("-Xmx1g", "-XX:+UseG1GC").doesNotContain(PARALLEL);
    }

    @Test
    void aMetaspaceThresholdChosenInJavaOptsIsKept() throws Exception {
        List<String> options = launch("train", "-Xmx1g -XX:MetaspaceSize=64m");

        assertThat(options).contains("-XX:MetaspaceSize=64m", PARALLEL).doesNotContain(METASPACE);
    }

    @Test
    void bothLaunchersChooseTheTrainingOptionsAlike() throws IOException {
        String rule =
                "train | train-lm | retrain)\n"
                        + "        [[ \" ${java_opts[*]} \" == *\" -XX:+Use\"*\"GC \"* ]]"
                        + " || java_opts+=("
                        + PARALLEL
                        + ")\n"
                        + "        [[ \" ${java_opts[*]} \" == *\" -XX:MetaspaceSize=\"* ]]"
                        + " || java_opts+=("
                        + METASPACE
                        + ") ;;";

        assertThat(Files.readString(ROOT.resolve("rnnstream"))).contains(rule);
        assertThat(Files.readString(ROOT.resolve("docker/rnnstream"))).contains(rule);
    }

    /** The JVM options {@code docker/rnnstream COMMAND} starts java with. */
    private List<String> launch(String command, String javaOpts) throws Exception {
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder =
                new ProcessBuilder("bash", ROOT.resolve("docker/rnnstream").toString(), command)
                        .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("PATH", bin + ":" + environment.get("PATH"));
        environment.put("RNNSTREAM_HOME", bin.toString());
        environment.remove("JAVA_OPTS");
        if (javaOpts != null) {
            environment.put("JAVA_OPTS", javaOpts);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        List<String> arguments = output.lines().toList();
        // Everything before the class path is a JVM option.
        return arguments.subList(0, arguments.indexOf("-cp"));
    }
}
