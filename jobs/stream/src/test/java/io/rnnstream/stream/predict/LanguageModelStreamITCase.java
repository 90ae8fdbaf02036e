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
import java.util.function.Supplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A character and a word language model, each served per key by the stream job on a real broker and
 * Flink runtime with a failure injected after a checkpoint: read with read_committed, every event
 * of many interleaved keys has exactly one prediction, whose surprise and top-k next characters
 * equal the offline model's stepped over the same key's events, and whose continuation equals
 * {@code rnnstream generate} primed with the key's text; bad events are dead-lettered with their
 * reason.
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
    private static final List<String> WORDS =
            List.of("the", "film", "was", "good", "bad", "and", "very", "not", "a", "plot");

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
        Map<String, String> settings = settings(PREFIX, MODEL);

        Map<String, List<String>> texts = texts(new Random(3));
        List<ProducerRecord<byte[], byte[]>> firstHalf =
                events(PREFIX, texts, 0, EVENTS_PER_KEY / 2);
        List<ProducerRecord<byte[], byte[]>> records =
                events(PREFIX, texts, EVENTS_PER_KEY / 2, EVENTS_PER_KEY);
        records.add(
                record(PREFIX, "bad-token", "{\"key\":\"bad-token\",\"ts\":1,\"token\":\"abc\"}"));
        records.add(record(PREFIX, "bad-char", "{\"key\":\"bad-char\",\"ts\":1,\"text\":\"abZ\"}"));
        records.add(record(PREFIX, "bad-empty", "{\"key\":\"bad-empty\",\"ts\":1,\"text\":\"\"}"));
        records.add(
                record(PREFIX, "bad-long", "{\"key\":\"bad-long\",\"ts\":1,\"continue\":5000}"));

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
            List<ConsumerRecord<byte[], byte[]>> committed = committedPredictions(PREFIX);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = deadLetters(PREFIX, 6);

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

    @Test
    void aWordModelsPredictionsEqualTheOfflineModelAcrossAFailureAfterACheckpoint()
            throws Exception {
        String prefix = "wlm";
        String model = "chat-words";
        StreamTestJob.createTopics(KAFKA, prefix);
        KAFKA.createTopic(prefix + "-predictions", 2);
        TestModels.Written written =
                TestModels.wordLanguageModel(models.resolve(model + "/1"), model, 1, 11, WORDS);
        // Words the vocabulary lacks read as its unknown token; "!" is a token of its own.
        Map<String, List<String>> texts = wordTexts(new Random(5));
        List<ProducerRecord<byte[], byte[]>> firstHalf =
                events(prefix, texts, 0, EVENTS_PER_KEY / 2);
        List<ProducerRecord<byte[], byte[]>> secondHalf =
                events(prefix, texts, EVENTS_PER_KEY / 2, EVENTS_PER_KEY);
        secondHalf.add(
                record(
                        prefix,
                        "bad-features",
                        "{\"key\":\"bad-features\",\"ts\":1,\"features\":[1]}"));

        FaultInjector.reset(false);
        JobClient job = ClassifierTestJob.start(settings(prefix, model), new FaultInjector(0, 1));
        try {
            TestModels.announce(KAFKA, prefix + "-models", written.announcement());
            KAFKA.produce(firstHalf);
            FaultInjector.awaitCheckpointAfter(firstHalf.size(), Duration.ofSeconds(90));
            FaultInjector.ARMED.set(true);
            KAFKA.produce(secondHalf);
            List<ConsumerRecord<byte[], byte[]>> committed = committedPredictions(prefix);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = deadLetters(prefix, 1);

            assertThat(FaultInjector.FIRED.get()).as("the injected failure happened").isTrue();
            assertThat(FaultInjector.MAX_ATTEMPT.get()).as("the job restarted").isPositive();
            assertMatchesOfflineModel(texts, committed, new LanguageModel(written.classifier()));
            assertThat(deadLetters).hasSize(1);
            assertThat(KafkaBroker.header(deadLetters.get(0), "reason"))
                    .isEqualTo("wrong-input-kind");
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
            int position = 0;
            for (int e = 0; e < EVENTS_PER_KEY; e++) {
                String text = entry.getValue().get(e);
                double surprise = 0;
                for (int id : model.encode(text, "text")) {
                    surprise += LanguageModel.surprise(stepper.probabilities(state), id);
                    model.advance(stepper, state, id);
                    position++;
                }
                history.append(model.separator()).append(text);
                JsonNode prediction = predictions.get(e);
                assertThat(prediction.get("position").asInt()).isEqualTo(position);
                assertThat(prediction.get("symbols").asInt())
                        .isEqualTo(model.encode(text, "text").length);
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
                                                    ContinuationSeed.of(key, null, position)));
                    assertThat(prediction.get("continuation").asText()).isEqualTo(expected);
                }
            }
        }
        System.out.printf(
                "largest surprise difference from the offline model: %.3g nats%n", largest);
    }

    private static Map<String, List<String>> texts(Random random) {
        return texts(
                random,
                () -> {
                    StringBuilder text = new StringBuilder();
                    int length = 1 + random.nextInt(12);
                    for (int i = 0; i < length; i++) {
                        text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                    return text.toString();
                });
    }

    /** Phrases of known words, words the vocabulary lacks, and "!". */
    private static Map<String, List<String>> wordTexts(Random random) {
        List<String> spoken = new ArrayList<>(WORDS);
        spoken.addAll(List.of("zebra", "quantum", "!"));
        return texts(
                random,
                () -> {
                    List<String> phrase = new ArrayList<>();
                    int length = 1 + random.nextInt(6);
                    for (int i = 0; i < length; i++) {
                        phrase.add(spoken.get(random.nextInt(spoken.size())));
                    }
                    return String.join(" ", phrase);
                });
    }

    private static Map<String, List<String>> texts(Random random, Supplier<String> text) {
        Map<String, List<String>> texts = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            List<String> events = new ArrayList<>();
            for (int e = 0; e < EVENTS_PER_KEY; e++) {
                events.add(text.get());
            }
            texts.put("user-" + k, events);
        }
        return texts;
    }

    /** Events {@code from} (inclusive) to {@code to} of every key, interleaved across keys. */
    private static List<ProducerRecord<byte[], byte[]>> events(
            String prefix, Map<String, List<String>> texts, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int e = from; e < to; e++) {
            for (String key : texts.keySet()) {
                ObjectNode event = JSON.createObjectNode();
                event.put("key", key)
                        .put("ts", 1_700_000_000_000L + e)
                        .put("text", texts.get(key).get(e));
                if (e == EVENTS_PER_KEY - 1 && wantsContinuation(key)) {
                    event.put("continue", CONTINUATION);
                }
                records.add(record(prefix, key, event.toString()));
            }
        }
        return records;
    }

    private static Map<String, String> settings(String prefix, String model) {
        return StreamTestJob.settings(
                KAFKA,
                prefix,
                Map.of(
                        "model.default",
                        model,
                        "predictions.models",
                        model,
                        "topic.predictions",
                        prefix + "-predictions",
                        "predictions.top-k",
                        "" + TOP_K,
                        "predictions.temperature",
                        "" + TEMPERATURE,
                        "predictions.max-continuation",
                        "50"));
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(String prefix, int count) {
        return KAFKA.read(
                prefix + "-dead-letters",
                "read_committed",
                count,
                Duration.ofSeconds(30),
                Duration.ofSeconds(1));
    }

    private static List<ConsumerRecord<byte[], byte[]>> committedPredictions(String prefix) {
        return KAFKA.read(
                prefix + "-predictions",
                "read_committed",
                KEYS * EVENTS_PER_KEY,
                Duration.ofSeconds(120),
                Duration.ofSeconds(3));
    }

    private static boolean wantsContinuation(String key) {
        return Integer.parseInt(key.substring("user-".length())) % 3 == 0;
    }

    private static ProducerRecord<byte[], byte[]> record(String prefix, String key, String json) {
        return new ProducerRecord<>(
                prefix + "-events", KafkaBroker.utf8(key), KafkaBroker.utf8(json));
    }
}
