package io.rnnstream.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.DockerComposeContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startable;

/**
 * The container pipeline end to end, where a Docker daemon answers: Testcontainers builds
 * docker/Dockerfile through the compose file and starts every service of docker/docker-compose.yml
 * (broker, topics, trainer, JobManager, TaskManager, job submission, producer, results reader); the
 * test then waits until the {@code results} service has printed one committed classification for
 * each of the 40 BasicMotions test sequences the producer replays, and checks them.
 *
 * <p>Where no daemon answers (this project's CI machine has the {@code docker} client but no
 * engine) the test is skipped with that reason; the static checks of the same files are in {@link
 * DockerFilesTest}. The first run builds the image, Maven build included: allow a quarter of an
 * hour.
 */
class ComposePipelineITCase {

    /** Test sequences in data/basicmotions/BasicMotions_TEST.ts: the producer sends them all. */
    private static final int SEQUENCES = 40;

    private static final Duration TIMEOUT = Duration.ofMinutes(25);

    private static final Path ROOT =
            Path.of(System.getProperty("rnnstream.root", "..")).toAbsolutePath().normalize();

    @Test
    void theComposePipelineClassifiesEveryReplayedSequence() throws Exception {
        Assumptions.assumeTrue(
                DockerClientFactory.instance().isDockerAvailable(),
                "no Docker daemon answers (checked DOCKER_HOST, the Docker socket and"
                        + " ~/.testcontainers.properties): building docker/Dockerfile and running"
                        + " docker/docker-compose.yml need one; DockerFilesTest checks the same"
                        + " files statically");
        File composeFile = ROOT.resolve("docker/docker-compose.yml").toFile();
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        Consumer<OutputFrame> collect =
                frame -> {
                    if (frame.getType() == OutputFrame.OutputType.STDOUT) {
                        results.add(frame.getUtf8StringWithoutLineEnding());
                    }
                };
        // The results reader prints "key<TAB>value" per committed classification.
        var firstResult = Wait.forLogMessage(".*\"label\".*", 1).withStartupTimeout(TIMEOUT);
        try (Startable pipeline = pipeline(composeFile, collect, firstResult)) {
            pipeline.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (classifications(results).size() < SEQUENCES && System.nanoTime() < deadline) {
                Thread.sleep(1000);
            }
            Map<String, JsonNode> bySequence = classifications(results);
            assertThat(bySequence)
                    .as("one classification per replayed sequence; results printed:%n%s", results)
                    .hasSize(SEQUENCES);
            for (JsonNode result : bySequence.values()) {
                assertThat(result.path("model").asText()).isEqualTo("motion");
                assertThat(result.path("modelVersion").asLong()).isEqualTo(1);
                assertThat(result.path("trigger").asText()).isEqualTo("end");
                assertThat(result.path("steps").asInt()).isEqualTo(100);
                assertThat(result.path("label").asText())
                        .isIn("Badminton", "Running", "Standing", "Walking");
            }
            assertThat(results.stream().filter(line -> line.contains("\"label\"")).count())
                    .as("no sequence classified twice (read_committed, exactly-once)")
                    .isEqualTo(SEQUENCES);
        }
    }

    /**
     * The compose file run by the local Compose CLI ({@code docker compose}, else {@code
     * docker-compose}; Testcontainers' constructors without an image name run the local one): its
     * build context and bind mounts are relative to docker/, which a containerised Compose would
     * not see.
     */
    private static Startable pipeline(
            File composeFile,
            Consumer<OutputFrame> collect,
            org.testcontainers.containers.wait.strategy.WaitStrategy firstResult)
            throws IOException, InterruptedException {
        if (succeeds("docker", "compose", "version")) {
            return new ComposeContainer(composeFile)
                    .withBuild(true)
                    .withLogConsumer("results", collect)
                    .waitingFor("results", firstResult);
        }
        Assumptions.assumeTrue(
                succeeds("docker-compose", "version"),
                "neither 'docker compose' nor 'docker-compose' runs here; install one"
                        + " (apt-get install docker-compose)");
        return new DockerComposeContainer<>(composeFile)
                .withBuild(true)
                .withLogConsumer("results", collect)
                .waitingFor("results", firstResult);
    }

    /** Committed classifications by sequence id, from the results reader's output lines. */
    private static Map<String, JsonNode> classifications(List<String> lines) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> bySequence = new TreeMap<>();
        for (String line : List.copyOf(lines)) {
            int tab = line.indexOf('\t');
            if (tab < 0 || !line.contains("\"label\"")) {
                continue;
            }
            JsonNode value = json.readTree(line.substring(tab + 1));
            bySequence.put(value.path("seq").asText(), value);
        }
        return bySequence;
    }

    private static boolean succeeds(String... command) throws InterruptedException {
        try {
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
