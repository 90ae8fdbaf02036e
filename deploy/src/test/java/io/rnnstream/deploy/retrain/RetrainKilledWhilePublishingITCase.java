package io.rnnstream.deploy.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.deploy.cluster.JobJars;
import io.rnnstream.retrain.RetrainJob;
import io.rnnstream.retrain.RetrainJobPausedAtStage;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TestModels;
import io.rnnstream.testkit.cluster.FlinkClasspath;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retraining job in its own JVM (the shipped job jar on Flink's classpath, as {@code flink run}
 * or the launcher runs it), killed with SIGKILL in each stage of publishing a version: while the
 * version is being copied into the store's staging directory, after it was renamed into place but
 * before it is announced, and after the model topic acknowledged the announcement but before the
 * run's report. Each kill is followed by the next run, which must leave the store and the topic
 * consistent (every announced version is complete in the store under its number, with the announced
 * digest; no staging directory is left) and must pick a version number above every number the store
 * or the topic holds, so no number ever names two artifacts.
 *
 * <p>A staged version that was never renamed is invisible to every reader, so the next run removes
 * it and may use its number; a renamed one, announced or not, keeps its number for ever.
 */
class RetrainKilledWhilePublishingITCase {

    private static final String MODEL = "vowels";
    private static final String LABELLED = "retrain-kill-labelled";
    private static final String MODELS = "retrain-kill-models";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir static Path work;
    private static Path store;
    private static Path config;

    @BeforeAll
    static void labelledEventsAndAVersionInService() throws Exception {
        SmallRetraining.produceLabelled(KAFKA, LABELLED, MODELS);
        // Version 1 serves from outside the store, so the store's numbers start at 2.
        TestModels.Written inService =
                TestModels.featureModel(
                        work.resolve("initial/vowels-1"),
                        MODEL,
                        1,
                        11,
                        CellType.LSTM,
                        8,
                        TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts")));
        store = work.resolve("store");
        config =
                SmallRetraining.writeConfig(
                        work.resolve("retrain.properties"),
                        KAFKA,
                        LABELLED,
                        MODELS,
                        store,
                        inService.announcement().uri(),
                        work.resolve("report.json"));
    }

    @Test
    void aRunKilledInAnyPublishStageLeavesStoreAndTopicConsistentForTheNextRun() throws Exception {
        // Killed while copying: only a partial staging directory exists, invisible to readers.
        killedAt("FILE_STAGED");
        assertThat(versionsInStore()).isEmpty();
        assertThat(stagingDirectories())
                .singleElement()
                .satisfies(
                        staging ->
                                assertThat(staging.getFileName().toString())
                                        .startsWith(".staging-2-"));
        assertThat(stagingDirectories().get(0).toFile().list())
                .as("the first file only: the copy was cut short")
                .hasSize(1);
        assertThat(announcedVersions()).isEmpty();

        // Killed after the rename, before announcing: the next run has cleaned the staging up; the
        // complete version 2 is in the store and not in service.
        String renamed = killedAt("RENAMED");
        assertThat(renamed).endsWith("/" + MODEL + "/2");
        assertThat(stagingDirectories()).as("the first kill's staging, removed").isEmpty();
        assertThat(versionsInStore()).containsExactly(2L);
        assertThat(announcedVersions()).isEmpty();
        assertConsistent();

        // Killed after the announcement: 2 keeps its number, the run took 3.
        String announced = killedAt("ANNOUNCED");
        assertThat(announced).endsWith("/" + MODEL + "/3");
        assertThat(versionsInStore()).containsExactly(2L, 3L);
        assertThat(announcedVersions()).containsExactly(3L);
        assertConsistent();

        // The shipped entry point, unpaused, completes the next run above every number taken.
        String output = run(List.of(RetrainJob.class.getName()), null);
        assertThat(output).contains("decision: published");
        JsonNode report = JSON.readTree(work.resolve("report.json").toFile());
        assertThat(report.path("decision").asText()).isEqualTo("published");
        assertThat(report.path("candidateVersion").asLong()).isEqualTo(4);
        assertThat(versionsInStore()).containsExactly(2L, 3L, 4L);
        assertThat(announcedVersions()).containsExactly(3L, 4L);
        assertThat(stagingDirectories()).isEmpty();
        assertConsistent();
    }

    /**
     * Runs the job in a new JVM until it reaches {@code stage}, kills it there with SIGKILL and
     * returns the stage's detail (the staged file, or the version's URI).
     */
    private static String killedAt(String stage) throws Exception {
        Path marker = work.resolve("paused-at-" + stage);
        List<String> main =
                List.of(RetrainJobPausedAtStage.class.getName(), stage, marker.toString());
        run(main, marker);
        return Files.readString(marker, StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code java -cp <job jar>:<Flink>:<test classes> <main> --config <config>}. With a
     * marker, kills the JVM (SIGKILL) as soon as the marker exists and returns; without, waits for
     * the run to end, which must succeed. Returns the process output.
     */
    private static String run(List<String> main, Path marker) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-cp");
        command.add(
                String.join(
                        File.pathSeparator,
                        JobJars.retrain(),
                        testClasses().toString(),
                        FlinkClasspath.fromTestClasspath()));
        command.addAll(main);
        command.add("--config");
        command.add(config.toString());
        Path log = Files.createTempFile(work, "retrain-", ".log");
        long started = System.nanoTime();
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            long deadline = started + RUN_TIMEOUT.toNanos();
            while (marker != null && !Files.exists(marker)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "the run did not reach " + marker.getFileName() + ":\n" + tail(log));
                }
                Thread.sleep(50);
            }
            if (marker != null) {
                process.destroyForcibly();
            }
            if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("the run did not finish:\n" + tail(log));
            }
            if (marker == null && process.exitValue() != 0) {
                throw new AssertionError(
                        "the run exited with " + process.exitValue() + ":\n" + tail(log));
            }
            System.out.printf(
                    "%s: %.1f s%n",
                    marker == null ? "complete run" : "killed at " + marker.getFileName(),
                    (System.nanoTime() - started) / 1e9);
            return Files.readString(log);
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Every version directory in the store is complete (each file matches its manifest, which names
     * the directory's version), and every version announced on the topic is one of them, with the
     * digest of its manifest.
     */
    private static void assertConsistent() throws Exception {
        Map<Long, String> digests = new HashMap<>();
        for (long version : versionsInStore()) {
            DirectorySource directory =
                    new DirectorySource(store.resolve(MODEL).resolve(Long.toString(version)));
            ModelArtifact artifact = ModelArtifact.load(directory, null);
            assertThat(artifact.manifest().version()).isEqualTo(version);
            for (String file : artifact.manifest().files().keySet()) {
                artifact.readVerified(directory, file);
            }
            digests.put(version, artifact.manifestSha256());
        }
        for (ModelAnnouncement announcement : announcements()) {
            long version = announcement.version();
            assertThat(Path.of(URI.create(announcement.uri())))
                    .as("where version %d is announced", version)
                    .isEqualTo(store.resolve(MODEL).resolve(Long.toString(version)));
            assertThat(announcement.sha256())
                    .as("the announced digest of version %d", version)
                    .isEqualTo(digests.get(version));
        }
    }

    private static List<ModelAnnouncement> announcements() {
        return KAFKA
                .read(
                        MODELS,
                        "read_committed",
                        Integer.MAX_VALUE,
                        Duration.ofSeconds(2),
                        Duration.ZERO)
                .stream()
                .map(record -> AnnouncementParser.parse(record.value()))
                .filter(announcement -> announcement.name().equals(MODEL))
                .toList();
    }

    private static TreeSet<Long> announcedVersions() {
        TreeSet<Long> versions = new TreeSet<>();
        announcements().forEach(announcement -> versions.add(announcement.version()));
        return versions;
    }

    private static TreeSet<Long> versionsInStore() throws Exception {
        TreeSet<Long> versions = new TreeSet<>();
        for (Path entry : modelDirectoryEntries()) {
            String name = entry.getFileName().toString();
            if (name.matches("[0-9]+")) {
                versions.add(Long.parseLong(name));
            }
        }
        return versions;
    }

    private static List<Path> stagingDirectories() throws Exception {
        return modelDirectoryEntries().stream()
                .filter(entry -> entry.getFileName().toString().startsWith(".staging-"))
                .toList();
    }

    private static List<Path> modelDirectoryEntries() throws Exception {
        Path directory = store.resolve(MODEL);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        }
    }

    /** The deploy module's test classes, where the paused entry point is. */
    private static Path testClasses() throws Exception {
        return Path.of(
                RetrainJobPausedAtStage.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
