package io.rnnstream.stream.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventParserTest {

    private final EventParser parser = new EventParser(1024, "motion");

    private EventParser.Result parse(String key, String json) {
        return parser.parse(
                new RawRecord(
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        json.getBytes(StandardCharsets.UTF_8),
                        "events",
                        1,
                        42,
                        0));
    }

    @Test
    void parsesAFeatureEvent() {
        Event event =
                parse(
                                null,
                                "{\"key\":\"cam-7\",\"ts\":1000,\"seq\":\"run-1\",\"features\":[0.5,-1,2e3],\"end\":true}")
                        .event();
        assertThat(event.key()).isEqualTo("cam-7");
        assertThat(event.model()).isEqualTo("motion");
        assertThat(event.timestamp()).isEqualTo(1000);
        assertThat(event.sequenceId()).isEqualTo("run-1");
        assertThat(event.features()).containsExactly(0.5f, -1f, 2000f);
        assertThat(event.end()).isTrue();
        assertThat(event.origin().offset()).isEqualTo(42);
    }

    @Test
    void tokenizesTextWithTheModelTokenizerAndFallsBackToTheKafkaKey() {
        Event event =
                parse(
                                "chat-3",
                                "{\"ts\":5,\"text\":\"What a LOVELY film!\",\"model\":\"sentiment\",\"extra\":1}")
                        .event();
        assertThat(event.key()).isEqualTo("chat-3");
        assertThat(event.model()).isEqualTo("sentiment");
        assertThat(event.tokens()).containsExactly("what", "a", "lovely", "film", "!");
        assertThat(parse("k", "{\"ts\":5,\"token\":\"Great\"}").event().tokens())
                .containsExactly("great");
    }

    @Test
    void rejectsBadRecordsWithAReasonThatNamesTheField() {
        assertRejected("{\"ts\":1,\"features\":[1]}", DeadLetterReason.MISSING_KEY, "no field key");
        assertRejected(
                "{\"key\":\"k\",\"features\":[1]}", DeadLetterReason.MISSING_TIMESTAMP, "field ts");
        assertRejected(
                "{\"key\":\"k\",\"ts\":-5,\"features\":[1]}",
                DeadLetterReason.MISSING_TIMESTAMP,
                "non-negative");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"features\":[1,\"a\"]}",
                DeadLetterReason.INVALID_FIELD,
                "features[1]");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"features\":[1,NaN]}",
                DeadLetterReason.NON_FINITE_VALUE,
                "features[1]");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"features\":[1e39]}",
                DeadLetterReason.NON_FINITE_VALUE,
                "features[0]");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"features\":[1],\"text\":\"x\"}",
                DeadLetterReason.INVALID_FIELD,
                "exactly one");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"text\":\"...\"}",
                DeadLetterReason.INVALID_FIELD,
                "no word");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"features\":[1],\"end\":1}",
                DeadLetterReason.INVALID_FIELD,
                "field end");
        assertRejected(
                "{\"key\":\"k\",\"key\":\"j\",\"ts\":1,\"features\":[1]}",
                DeadLetterReason.UNPARSABLE,
                "Duplicate field");
        assertRejected("{\"key\":", DeadLetterReason.UNPARSABLE, "not valid JSON");
        assertRejected("\"just a string\"", DeadLetterReason.UNPARSABLE, "JSON object");
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"text\":\"" + "a".repeat(2000) + "\"}",
                DeadLetterReason.OVERSIZED,
                "limit is 1024");
    }

    @Test
    void aLanguageModelsEventKeepsItsRawTextAndMayAskOnlyForAContinuation() {
        EventParser languageModels = new EventParser(1024, "motion", java.util.Set.of("chat-lm"));
        RawRecord punctuation =
                record("{\"key\":\"k\",\"ts\":1,\"model\":\"chat-lm\",\"text\":\"?! ..\"}");
        RawRecord continuation =
                record("{\"key\":\"k\",\"ts\":2,\"model\":\"chat-lm\",\"continue\":40}");

        Event text = languageModels.parse(punctuation).event();
        Event more = languageModels.parse(continuation).event();

        assertThat(text.text()).as("the characters as sent, not word tokens").isEqualTo("?! ..");
        assertThat(text.continuation()).isZero();
        assertThat(more.continuation()).isEqualTo(40);
        assertThat(more.text()).isNull();
        assertThat(more.tokens()).isNull();
    }

    @Test
    void continueIsRefusedForAClassifierAndWhenItIsNotAPositiveInteger() {
        assertRejected(
                "{\"key\":\"k\",\"ts\":1,\"continue\":5}",
                DeadLetterReason.INVALID_FIELD,
                "field continue: model 'motion' is not a language model");
        EventParser languageModels = new EventParser(1024, "chat-lm", java.util.Set.of("chat-lm"));
        assertThat(
                        languageModels
                                .parse(record("{\"key\":\"k\",\"ts\":1,\"continue\":1.5}"))
                                .deadLetter()
                                .message())
                .isEqualTo("field continue: expected a positive integer, got 1.5");
        assertThat(
                        languageModels
                                .parse(record("{\"key\":\"k\",\"ts\":1,\"text\":\"\"}"))
                                .deadLetter()
                                .message())
                .isEqualTo("field text: is empty");
        assertThat(
                        languageModels
                                .parse(record("{\"key\":\"k\",\"ts\":1,\"continue\":100001}"))
                                .deadLetter()
                                .reason())
                .isEqualTo(DeadLetterReason.OVERSIZED);
    }

    private static RawRecord record(String json) {
        return new RawRecord(null, json.getBytes(StandardCharsets.UTF_8), "events", 0, 1, 0);
    }

    private void assertRejected(String json, DeadLetterReason reason, String messagePart) {
        EventParser.Result result = parse(null, json);
        assertThat(result.event()).as(json).isNull();
        assertThat(result.deadLetter().reason()).as(json).isEqualTo(reason);
        assertThat(result.deadLetter().message()).as(json).contains(messagePart);
        assertThat(result.deadLetter().origin().value())
                .isEqualTo(json.getBytes(StandardCharsets.UTF_8));
    }
}
