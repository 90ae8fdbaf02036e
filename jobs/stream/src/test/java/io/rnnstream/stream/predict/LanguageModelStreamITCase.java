package io.rnnstream.stream.predict;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.core.serving.TopTokens;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A character language model served per key by the stream job, on a real broker and Flink runtime,
 * with a failure injected after a checkpoint: read with read_committed, every event of many
 * interleaved keys has exactly one prediction, whose surprise and top-k next characters equal the
 * offline model's stepped over the same key's events, and whose continuation equals {@code
 * rnnstream generate} primed with the key's text; bad events are dead-lettered with their reason.
 */
class LanguageModelStreamITCase {

    private static final String PREFIX = "lm";
    private static final String MODEL = "chat-lm";
    private static final String ALPHABET = "abcdefgh .,!\n";
    private static final int KEYS = 24;
    private static final int EVENTS_PER_KEY = 8;
    private static final int CONTINUATION = 12;
    private static final int TOP_K = 3;
    private static final double TEMPERATURE = 0.8;
    private static final double TOLERANCE = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir Path models;

    @Test
    void predictionsEqualTheOfflineModelAcrossAFailureAfterACheckpoint() throws Exception {
        StreamTestJob.createTopics(KAFKA, PREFIX);
        KAFKA.createTopic(PREFIX + "-predictions", 2);
        TestModels.Written written =
                TestModels.characterLanguageModel(
                        models.resolve(MODEL + "/1"), MODEL, 1, 7, CellType.LSTM, ALPHABET);
        Map<String, String> settings =
                StreamTestJob.settings(
                        KAFKA,
                        PREFIX,
                        Map.of(
                                "model.default",
                                MODEL,
                                "predictions.models",
                                MODEL,
                                "topic.predictions",
                                PREFIX + "-predictions",
                                "predictions.top-k",
                                "" + TOP_K,
                                "predictions.temperature",
                                "" + TEMPERATURE,
                                "predictions.max-continuation",
                                "50"));

        Map<String, List<String>> texts = texts(new Random(3));
        List<ProducerRecord<byte[], byte[]>> firstHalf = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int e = 0; e < EVENTS_PER_KEY; e++) {
            if (e == EVENTS_PER_KEY / 2) {
                firstHalf.addAll(records);
                records.clear();
            }
            for (String key : texts.keySet()) {
                ObjectNode event = JSON.createObjectNode();
                event.put("key", key)
                        .put("ts", 1_700_000_000_000L + e)
                        .put("text", texts.get(key).get(e));
                if (e == EVENTS_PER_KEY - 1 && wantsContinuation(key)) {
                    event.put("continue", CONTINUATION);
                }
                records.add(record(key, event.toString()));
            }
        }
        records.add(record("bad-token", "{\"key\":\"bad-token\",\"ts\":1,\"token\":\"abc\"}"));
        records.add(record("bad-char", "{\"key\":\"bad-char\",\"ts\":1,\"text\":\"abZ\"}"));
        records.add(record("bad-empty", "{\"key\":\"bad-empty\",\"ts\":1,\"text\":\"\"}"));
        records.add(record("bad-long", "{\"key\":\"bad-long\",\"ts\":1,\"continue\":5000}"));

        // The failure comes with the second half, after a checkpoint holds the first half's state.
        FaultInjector.reset(false);
        JobClient job = ClassifierTestJob.start(settings, new FaultInjector(0, 1));
        try {
            // The first half comes before the model: it waits in keyed state for the version.
            KAFKA.produce(firstHalf);
            FaultInjector.awaitRecords(firstHalf.size(), Duration.ofSeconds(90));
            Thread.sleep(500);
            TestModels.announce(KAFKA, PREFIX + "-models", written.announcement());
            FaultInjector.awaitCheckpointAfter(firstHalf.size(), Duration.ofSeconds(90));
            FaultInjector.ARMED.set(true);
            // Each path refuses the other kind of model, by name, and keeps serving its own.
            TestModels.announce(
                    KAFKA,
                    PREFIX + "-models",
                    TestModels.tokenModel(
                                    models.resolve(MODEL + "/2"),
                                    MODEL,
                                    2,
                                    5,
                                    List.of("negative", "positive"),
                                    List.of("good", "bad"))
                            .announcement());
            TestModels.announce(
                    KAFKA,
                    PREFIX + "-models",
                    TestModels.characterLanguageModel(
                                    models.resolve("sentiment/1"),
                                    "sentiment",
                                    1,
                                    5,
                                    CellType.LSTM,
                                    ALPHABET)
                            .announcement());
            KAFKA.produce(records);
            List<ConsumerRecord<byte[], byte[]>> committed =
                    KAFKA.read(
                            PREFIX + "-predictions",
                            "read_committed",
                            KEYS * EVENTS_PER_KEY,
                            Duration.ofSeconds(120),
                            Duration.ofSeconds(3));
            List<ConsumerRecord<byte[], byte[]>> deadLetters =
                    KAFKA.read(
                            PREFIX + "-dead-letters",
                            "read_committed",
                            6,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(1));

            assertThat(FaultInjector.FIRED.get()).as("the injected failure happened").isTrue();
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("the job restarted").isPositive();
            assertMatchesOfflineModel(texts, committed, new LanguageModel(written.classifier()));
            Map<String, String> reasons = new HashMap<>();
            List<String> refusals = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
                JsonNode value = JSON.readTree(record.value());
                if (value.has("key")) {
                    reasons.put(value.get("key").asText(), KafkaBroker.header(record, "reason"));
                } else {
                    assertThat(KafkaBroker.header(record, "reason")).isEqualTo("model-rejected");
                    refusals.add(KafkaBroker.header(record, DeadLetterSerializer.MESSAGE));
                }
            }
            assertThat(refusals)
                    .anySatisfy(
                            m ->
                                    assertThat(m)
                                            .contains(
                                                    "chat-lm version 2 is a classification model,"
                                                            + " where a next-token language model is"
                                                            + " expected"))
                    .anySatisfy(
                            m ->
                                    assertThat(m)
                                            .contains(
                                                    "sentiment version 1 is a next-token language"
                                                            + " model, where a classifier is expected"))
                    .hasSize(2);
            assertThat(reasons)
                    .containsEntry("bad-token", "wrong-input-kind")
                    .containsEntry("bad-char", "invalid-field")
                    .containsEntry("bad-empty", "invalid-field")
                    .containsEntry("bad-long", "oversized")
                    .hasSize(4);
        } finally {
            job.cancel().get();
        }
    }

    private static void assertMatchesOfflineModel(
            Map<String, List<String>> texts,
            List<ConsumerRecord<byte[], byte[]>> committed,
            LanguageModel model)
            throws Exception {
        Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : committed) {
            JsonNode prediction = JSON.readTree(record.value());
            byKey.computeIfAbsent(prediction.get("key").asText(), k -> new ArrayList<>())
                    .add(prediction);
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(texts.keySet());
        double largest = 0;
        for (Map.Entry<String, List<String>> entry : texts.entrySet()) {
            String key = entry.getKey();
            List<JsonNode> predictions = byKey.get(key);
            assertThat(predictions)
                    .as(
                            "one prediction per event of %s; positions %s",
                            key, predictions.stream().map(p -> p.get("position").asInt()).toList())
                    .hasSize(EVENTS_PER_KEY);
            Stepper stepper = model.newStepper();
            RecurrentState state = model.initialState();
            StringBuilder history = new StringBuilder();
            for (int e = 0; e < EVENTS_PER_KEY; e++) {
                String text = entry.getValue().get(e);
                double surprise = 0;
                for (int id : model.encode(text, "text")) {
                    surprise += LanguageModel.surprise(stepper.probabilities(state), id);
                    model.advance(stepper, state, id);
                }
                history.append(text);
                JsonNode prediction = predictions.get(e);
                assertThat(prediction.get("position").asInt()).isEqualTo(history.length());
                assertThat(prediction.get("symbols").asInt()).isEqualTo(text.length());
                assertThat(prediction.get("surprise").asDouble())
                        .as("%s event %d's surprise", key, e)
                        .isCloseTo(surprise, org.assertj.core.data.Offset.offset(TOLERANCE));
                largest =
                        Math.max(
                                largest,
                                Math.abs(prediction.get("surprise").asDouble() - surprise));
                float[] probabilities = stepper.probabilities(state);
                List<TopTokens.Candidate> top = TopTokens.of(probabilities, TOP_K);
                for (int i = 0; i < TOP_K; i++) {
                    JsonNode next = prediction.get("next").get(i);
                    assertThat(next.get("symbol").asText())
                            .isEqualTo(model.symbols().get(top.get(i).id()));
                    assertThat(next.get("p").asDouble())
                            .isCloseTo(
                                    top.get(i).probability(),
                                    org.assertj.core.data.Offset.offset(TOLERANCE));
                }
                boolean continued = e == EVENTS_PER_KEY - 1 && wantsContinuation(key);
                assertThat(prediction.has("continuation")).isEqualTo(continued);
                if (continued) {
                    String expected =
                            new TextGenerator(model)
                                    .generate(
                                            history.toString(),
                                            CONTINUATION,
                                            new TokenSampler(
                                                    TEMPERATURE,
                                                    0,
                                                    ContinuationSeed.of(
                                                            key, null, history.length())));
                    assertThat(prediction.get("continuation").asText()).isEqualTo(expected);
                }
            }
        }
        System.out.printf(
                "largest surprise difference from the offline model: %.3g nats%n", largest);
    }

    private static Map<String, List<String>> texts(Random random) {
        Map<String, List<String>> texts = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            List<String> events = new ArrayList<>();
            for (int e = 0; e < EVENTS_PER_KEY; e++) {
                StringBuilder text = new StringBuilder();
                int length = 1 + random.nextInt(12);
                for (int i = 0; i < length; i++) {
                    text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
                events.add(text.toString());
            }
            texts.put("user-" + k, events);
        }
        return texts;
    }

    private static boolean wantsContinuation(String key) {
        return Integer.parseInt(key.substring("user-".length())) % 3 == 0;
    }

    private static ProducerRecord<byte[], byte[]> record(String key, String json) {
        return new ProducerRecord<>(
                PREFIX + "-events", KafkaBroker.utf8(key), KafkaBroker.utf8(json));
    }
}
