package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code rnnstream produce} and {@code tail} against a real broker. */
class ProduceTailITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void produceSendsOneEventPerStepInterleavedAcrossKeysWithLabelsOnLastEvents() throws Exception {
        KAFKA.createTopic("produced", 2);

        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        TestData.path("basicmotions/BasicMotions_TEST.ts").toString(),
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "produced",
                        "--model",
                        "motion",
                        "--keys",
                        "2",
                        "--limit",
                        "3",
                        "--rate",
                        "2000",
                        "--labelled");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("sent 300 events of 3 sequences to produced");
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.read(
                        "produced", "read_committed", 300, Duration.ofSeconds(30), Duration.ZERO);
        assertThat(records).hasSize(300);
        List<JsonNode> events = records.stream().map(ProduceTailITCase::json).toList();
        assertThat(events).allMatch(e -> e.get("model").asText().equals("motion"));
        assertThat(events).allMatch(e -> e.get("features").size() == 6);
        assertThat(events.stream().map(e -> e.get("key").asText()).distinct())
                .containsExactlyInAnyOrder("key-0", "key-1");
        List<JsonNode> last = events.stream().filter(e -> e.has("end")).toList();
        assertThat(last).hasSize(3).allMatch(e -> e.has("label") && e.has("ts"));
        assertThat(events.stream().filter(e -> e.has("label"))).hasSize(3);
    }

    /**
     * The Helm chart's test pod sends its default {@code tests.sequence} this way: one event, which
     * ends its sequence, under the one key the test then waits for.
     */
    @Test
    void theChartsTestSequenceIsOneEventEndingItsSequence(@TempDir Path dir) throws Exception {
        String sequence = null;
        for (String line : Files.readAllLines(Path.of("..", "helm", "rnnstream", "values.yaml"))) {
            if (line.startsWith("  sequence: '")) {
                sequence = line.substring("  sequence: '".length(), line.length() - 1);
            }
        }
        assertThat(sequence).as("tests.sequence in helm/rnnstream/values.yaml").isNotNull();
        Path file = dir.resolve("test-sequence.jsonl");
        Files.writeString(file, sequence + "\n");
        KAFKA.createTopic("helm-test-events", 1);

        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        file.toString(),
                        "--format",
                        "jsonl",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "helm-test-events",
                        "--limit",
                        "1",
                        "--keys",
                        "1",
                        "--key-prefix",
                        "helm-test-1-2-",
                        "--model",
                        "motion");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records =
                KAFKA.read(
                        "helm-test-events",
                        "read_committed",
                        1,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1));
        assertThat(records).hasSize(1);
        JsonNode event = json(records.get(0));
        assertThat(event.get("key").asText()).isEqualTo("helm-test-1-2-0");
        assertThat(event.get("features").size()).as("the motion model's six channels").isEqualTo(6);
        assertThat(event.get("end").asBoolean()).isTrue();
        assertThat(event.get("model").asText()).isEqualTo("motion");
    }

    @Test
    void tailPrintsClassificationsAndDeadLettersOnOneLineEach() throws Exception {
        KAFKA.createTopic("tailed", 1);
        ProducerRecord<byte[], byte[]> letter =
                new ProducerRecord<>("tailed", KafkaBroker.utf8("k"), KafkaBroker.utf8("{oops"));
        letter.headers()
                .add(new RecordHeader(DeadLetterSerializer.REASON, KafkaBroker.utf8("unparsable")))
                .add(new RecordHeader(DeadLetterSerializer.MESSAGE, KafkaBroker.utf8("not JSON")));
        KAFKA.produce(
                List.of(
                        new ProducerRecord<>(
                                "tailed",
                                KafkaBroker.utf8("cam-7"),
                                KafkaBroker.utf8(
                                        "{\"key\":\"cam-7\",\"seq\":\"run-12\",\"label\":\"Walking\","
                                                + "\"probabilities\":{\"Walking\":0.94,\"Running\":0.06},"
                                                + "\"steps\":100,\"trigger\":\"end\",\"model\":\"motion\","
                                                + "\"modelVersion\":2}")),
                        letter));

        RnnstreamCliTest.Result run =
                RnnstreamCliTest.rnnstream(
                        "tail",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "tailed",
                        "--from-beginning",
                        "--max",
                        "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .contains("cam-7")
                .contains("run-12")
                .contains("Walking")
                .contains("0.940")
                .contains("motion v2")
                .contains("100 steps")
                .contains("end");
        assertThat(lines.get(1))
                .contains("DEAD")
                .contains("unparsable")
                .contains("not JSON")
                .contains("{oops");
    }

    @Test
    void produceAndTailExplainWhatIsWrong() {
        RnnstreamCliTest.Result missing =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        "no/such/file.ts",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers());
        assertThat(missing.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(missing.err()).contains("--data: no such file: no/such/file.ts");

        RnnstreamCliTest.Result badServers =
                RnnstreamCliTest.rnnstream(
                        "produce",
                        "--data",
                        TestData.path("basicmotions/BasicMotions_TEST.ts").toString(),
                        "--bootstrap-servers",
                        "no-port-here");
        assertThat(badServers.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(badServers.err())
                .startsWith(
                        "rnnstream: cannot send to topic 'events' at no-port-here (waited up to")
                .contains("bootstrap.servers");

        RnnstreamCliTest.Result badRate =
                RnnstreamCliTest.rnnstream(
                        "produce", "--data", "x.ts", "--bootstrap-servers", "h:1", "--rate", "-5");
        assertThat(badRate.exitCode()).isEqualTo(Rnnstream.EXIT_USAGE);
        assertThat(badRate.err()).contains("--rate: must be >= 0, was -5");

        RnnstreamCliTest.Result noTopic =
                RnnstreamCliTest.rnnstream(
                        "tail",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        "never-created",
                        "--max",
                        "1");
        assertThat(noTopic.exitCode()).isEqualTo(Rnnstream.EXIT_FAILURE);
        assertThat(noTopic.err())
                .contains(
                        "cannot read topic 'never-created': topic 'never-created' does not exist at "
                                + KAFKA.bootstrapServers());

        assertThat(RnnstreamCliTest.rnnstream("produce", "--help").out())
                .contains("--rate")
                .contains("--labelled");
        assertThat(RnnstreamCliTest.rnnstream("tail", "--help").out()).contains("--from-beginning");
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
