package io.rnnstream.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.testkit.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files that run rnnstream in containers, checked without a Docker engine: the compose file by
 * docker-compose's own validation, the Dockerfile by dockerfile-utils, every shell script by
 * shellcheck, and the places where these files must agree with the build and the chart.
 */
class DockerFilesTest {

    static final ExternalTool COMPOSE =
            new ExternalTool("docker-compose", "apt-get install docker-compose");
    static final ExternalTool DOCKERFILE_LINT =
            new ExternalTool("dockerfile-utils", "npm install -g dockerfile-utils@0.16.3");
    static final ExternalTool SHELLCHECK =
            new ExternalTool("shellcheck", "apt-get install shellcheck");

    static final Path ROOT =
            Path.of(System.getProperty("rnnstream.root", "..")).toAbsolutePath().normalize();
    static final Path DOCKER = ROOT.resolve("docker");

    @TempDir Path scratch;

    @Test
    void theComposeFileValidates() throws Exception {
        ExternalTool.Run run = COMPOSE.run(DOCKER, "-f", "docker-compose.yml", "config", "-q");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).isEmpty();
    }

    @Test
    void theDockerfilePassesTheLinter() throws Exception {
        ExternalTool.Run run = DOCKERFILE_LINT.run(DOCKER, "lint", "Dockerfile");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).as("lint findings").isEmpty();
    }

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        List<String> scripts = shellScripts();
        assertThat(scripts).contains("docker/rnnstream", "rnnstream", ".ci/run");
        List<String> args = new ArrayList<>(List.of("--shell=bash", "--external-sources"));
        args.addAll(scripts);
        ExternalTool.Run run = SHELLCHECK.run(ROOT, args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    /** Each checker fails on a broken file, so a passing check means something. */
    @Test
    void theCheckersRejectBrokenFiles() throws Exception {
        Path compose = scratch.resolve("docker-compose.yml");
        Files.writeString(
                compose,
                Files.readString(DOCKER.resolve("docker-compose.yml"))
                        .replace("    depends_on:", "    dependson:"));
        for (String script :
                List.of(
                        "create-topics.sh",
                        "produce-events.sh",
                        "train-demo-model.sh",
                        "stream.properties")) {
            Files.copy(DOCKER.resolve(script), scratch.resolve(script));
        }
        ExternalTool.Run composeRun =
                COMPOSE.run(scratch, "-f", "docker-compose.yml", "config", "-q");
        assertThat(composeRun.exitCode()).isNotZero();
        assertThat(composeRun.output()).contains("dependson");

        Path dockerfile = scratch.resolve("Dockerfile");
        Files.writeString(
                dockerfile,
                Files.readString(DOCKER.resolve("Dockerfile"))
                        .replace("\nUSER root", "\nUSR root"));
        ExternalTool.Run lintRun = DOCKERFILE_LINT.run(scratch, "lint", "Dockerfile");
        assertThat(lintRun.exitCode()).isNotZero();
        assertThat(lintRun.output()).contains("USR");

        Path script = scratch.resolve("broken.sh");
        Files.writeString(script, "#!/usr/bin/env bash\nrm -rf $1/data\n");
        ExternalTool.Run shellcheckRun = SHELLCHECK.run(scratch, "broken.sh");
        assertThat(shellcheckRun.exitCode()).isNotZero();
        assertThat(shellcheckRun.output()).contains("SC2086");
    }

    @Test
    void theImageRunsOnThePinnedFlinkImageAsANonRootUser() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        List<String> from = matches(dockerfile, "(?m)^FROM (\\S+)");
        assertThat(from).hasSize(2);
        assertThat(from.get(1))
                .as("runtime base: the official Flink image of the version the build uses")
                .isEqualTo(
                        "flink:"
                                + System.getProperty("rnnstream.flinkVersion")
                                + "-scala_2.12-java17");
        assertThat(from).noneMatch(image -> image.endsWith(":latest") || !image.contains(":"));
        List<String> users = matches(dockerfile, "(?m)^USER (\\S+)");
        assertThat(users.get(users.size() - 1)).as("final USER").isEqualTo("9999:9999");
        assertThat(dockerfile)
                .contains("/opt/flink/usrlib/rnnstream-stream-job.jar")
                .contains("cli-" + System.getProperty("rnnstream.version") + ".jar");
        assertThat(Files.readString(ROOT.resolve("helm/rnnstream/templates/flinkdeployment.yaml")))
                .as("the chart runs the jar where the image puts it")
                .contains("local:///opt/flink/usrlib/rnnstream-stream-job.jar");
    }

    @Test
    void theComposeJobSettingsAreAcceptedByTheStreamJob() {
        StreamJobConfig config =
                StreamJobConfig.load(DOCKER.resolve("stream.properties"), new String[0]);
        assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.initialModelUri()).isEqualTo("file:///models/motion/1");
    }

    /** Files with a bash shebang under docker/, plus the launcher and the CI script. */
    private static List<String> shellScripts() throws IOException {
        List<String> scripts = new ArrayList<>(List.of("rnnstream", ".ci/run"));
        try (Stream<Path> files = Files.list(DOCKER)) {
            for (Path file : files.sorted().toList()) {
                if (Files.readString(file).startsWith("#!/usr/bin/env bash")) {
                    scripts.add(ROOT.relativize(file).toString());
                }
            }
        }
        return scripts;
    }

    private static List<String> matches(String text, String regex) {
        List<String> found = new ArrayList<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
