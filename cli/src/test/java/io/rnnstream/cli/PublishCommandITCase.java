package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rnnstream publish}, what the Helm chart's bootstrap hook runs for {@code model.initial},
 * against a real broker and a store directory: verified copy, announcement, and the repeat runs
 * that every {@code helm upgrade} makes.
 */
class PublishCommandITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private static Dataset motion;

    @TempDir Path work;

    @BeforeAll
    static void readData() throws IOException {
        motion = TsReader.read(TestData.path("basicmotions/BasicMotions_TEST.ts"));
    }

    @Test
    void publishesAVerifiedCopyIntoTheStoreAndAnnouncesIt() throws Exception {
        String topic = modelsTopic();
        TestModels.Written model = model("source/motion/1", 1, 7);
        Path store = work.resolve("store");

        RnnstreamCliTest.Result run = publish(topic, model.directory().toString(), store);

        assertThat(run.exitCode()).as(run.err()).isZero();
        Path published = store.resolve("motion/1");
        assertThat(run.out())
                .startsWith("published motion v1 to ")
                .contains(published.toString())
                .contains("and announced it");
        String sha = Files.readString(model.directory().resolve("manifest.sha256")).strip();
        ModelArtifact copy = ModelArtifact.load(new DirectorySource(published), sha);
        assertThat(copy.manifest().name()).isEqualTo("motion");
        for (String file : List.of("manifest.json", "manifest.sha256", "serving.bin")) {
            assertThat(published.resolve(file))
                    .hasSameBinaryContentAs(model.directory().resolve(file));
        }
        List<ModelAnnouncement> announced = announcements(topic, 1);
        assertThat(announced).hasSize(1);
        assertThat(announced.get(0).name()).isEqualTo("motion");
        assertThat(announced.get(0).version()).isEqualTo(1);
        assertThat(announced.get(0).sha256()).isEqualTo(sha);
        assertThat(announced.get(0).uri()).endsWith("store/motion/1");
    }

    /** Every helm upgrade runs the hook again: nothing changes, a newer version is not replaced. */
    @Test
    void repeatRunsChangeNothingAndNeverAnnounceOverANewerVersion() throws Exception {
        String topic = modelsTopic();
        TestModels.Written first = model("source/motion/1", 1, 7);
        Path store = work.resolve("store");
        assertThat(publish(topic, first.directory().toString(), store).exitCode()).isZero();

        RnnstreamCliTest.Result again = publish(topic, first.directory().toString(), store);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("motion v1 is in the store").contains("nothing to do");

        // A retraining run published and announced version 3 meanwhile.
        TestModels.announce(
                KAFKA,
                topic,
                new ModelAnnouncement("motion", 3, "file:///elsewhere/3", "0".repeat(64)));
        TestModels.Written second = model("source/motion/2", 2, 8);
        RnnstreamCliTest.Result older = publish(topic, second.directory().toString(), store);
        assertThat(older.exitCode()).as(older.err()).isZero();
        assertThat(older.out())
                .contains("published motion v2")
                .contains("not announced: the topic already announces v3");
        assertThat(store.resolve("motion/2/manifest.json")).exists();
        assertThat(announcements(topic, 2))
                .extracting(ModelAnnouncement::version)
                .as("only the first publication and the retrained version, nothing after them")
                .containsExactly(1L, 3L);
    }

    @Test
    void aDifferentArtifactUnderAPublishedVersionIsRefused() throws Exception {
        String topic = modelsTopic();
        Path store = work.resolve("store");
        assertThat(
                        publish(topic, model("a/motion/1", 1, 7).directory().toString(), store)
                                .exitCode())
                .isZero();
        RnnstreamCliTest.Result run =
                publish(topic, model("b/motion/1", 1, 99).directory().toString(), store);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("the model store already holds a different motion version 1")
                .contains("versions are immutable");
    }

    @Test
    void aTamperedArtifactIsRefusedBeforeAnythingIsCopiedOrAnnounced() throws Exception {
        String topic = modelsTopic();
        TestModels.Written model = model("source/motion/1", 1, 7);
        TestModels.flipOneByte(model.directory().resolve("serving.bin"));
        Path store = work.resolve("store");
        RnnstreamCliTest.Result run = publish(topic, model.directory().toString(), store);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("serving.bin").contains("SHA-256");
        assertThat(store.resolve("motion/1")).doesNotExist();
        assertThat(announcements(topic, 0)).isEmpty();
    }

    @Test
    void anArtifactOfAnotherModelIsRefused() throws Exception {
        String topic = modelsTopic();
        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream(
                        "publish",
                        "--model",
                        model("source/motion/1", 1, 7).directory().toString(),
                        "--store",
                        work.resolve("store").toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--models-topic",
                        topic,
                        "--name",
                        "sentiment");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("is model 'motion', not 'sentiment'");
    }

    /** model.initial may be a URL under which the artifact's files are served. */
    @Test
    void readsTheArtifactFromAnHttpUrl() throws Exception {
        String topic = modelsTopic();
        TestModels.Written model = model("served/motion/1", 1, 7);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/models/motion/1/",
                exchange -> {
                    String name =
                            Path.of(exchange.getRequestURI().getPath()).getFileName().toString();
                    Path file = model.directory().resolve(name);
                    if (!Files.isRegularFile(file)) {
                        exchange.sendResponseHeaders(404, -1);
                    } else {
                        byte[] bytes = Files.readAllBytes(file);
                        exchange.sendResponseHeaders(200, bytes.length);
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(bytes);
                        }
                    }
                    exchange.close();
                });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/motion/1";
            Path store = work.resolve("store");
            RnnstreamCliTest.Result run = publish(topic, url, store);
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(store.resolve("motion/1/serving.bin"))
                    .hasSameBinaryContentAs(model.directory().resolve("serving.bin"));
            assertThat(announcements(topic, 1)).hasSize(1);

            RnnstreamCliTest.Result missing = publish(topic, url + "-missing", store);
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("has no file manifest.json");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void settingsComeFromAJobSettingsFileAndAMissingStoreIsAUsageError() throws Exception {
        String topic = modelsTopic();
        Path settings = work.resolve("bootstrap.properties");
        Files.writeString(
                settings,
                "bootstrap.servers="
                        + KAFKA.bootstrapServers()
                        + "\ntopic.models="
                        + topic
                        + "\ntopic.events=events\ntopics.partitions=2\n");
        String model = model("source/motion/1", 1, 7).directory().toString();

        RnnstreamCliTest.Result noStore =
                RnnstreamCliTest.rnnstream(
                        "publish", "--config", settings.toString(), "--model", model);
        assertThat(noStore.exitCode()).isEqualTo(2);
        assertThat(noStore.err()).contains("model.store");

        Files.writeString(
                settings,
                "model.store=" + work.resolve("store").toUri() + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream(
                        "publish", "--config", settings.toString(), "--model", model);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(announcements(topic, 1)).hasSize(1);
    }

    private static String modelsTopic() throws Exception {
        String topic = "models-" + TOPICS.incrementAndGet();
        KAFKA.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        return topic;
    }

    private TestModels.Written model(String dir, long version, long seed) throws IOException {
        return TestModels.featureModel(
                work.resolve(dir), "motion", version, seed, CellType.LSTM, 8, motion);
    }

    private static RnnstreamCliTest.Result publish(String topic, String source, Path store) {
        return RnnstreamCliTest.rnnstream(
                "publish",
                "--model",
                source,
                "--store",
                store.toString(),
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--models-topic",
                topic,
                "--name",
                "motion");
    }

    private static List<ModelAnnouncement> announcements(String topic, int expected)
            throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.read(
                        topic,
                        "read_committed",
                        expected,
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(1));
        return records.stream().map(r -> AnnouncementParser.parse(r.value())).toList();
    }
}
