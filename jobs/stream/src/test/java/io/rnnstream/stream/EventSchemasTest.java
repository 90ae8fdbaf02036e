package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.rnnstream.stream.classify.Classification;
import io.rnnstream.stream.classify.Trigger;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.event.EventParser;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.sink.ClassificationSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas under {@code docs/schemas} agree with the parsers and serializers: every shipped
 * example the parser accepts validates, every record it rejects for a reason a schema can see fails
 * validation, records rejected for reasons beyond a schema (the model's dimension, an unknown
 * model) still validate, and what the job writes (results, dead-letter headers, announcements)
 * validates.
 */
class EventSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMAS = repositoryRoot().resolve("docs/schemas");
    private static final Path EXAMPLES = SCHEMAS.resolve("examples");

    /** The reasons a schema can see in the record itself. */
    private static final Set<String> SCHEMA_REASONS =
            Set.of(
                    "unparsable",
                    "missing-key",
                    "missing-timestamp",
                    "invalid-field",
                    "non-finite-value");

    private final EventParser parser = new EventParser(1 << 20, "motion");

    @Test
    void everyShippedEventValidatesAndIsAccepted() throws IOException {
        JsonSchema schema = schema("event.schema.json");
        List<JsonNode> events = lines("events.jsonl");
        assertThat(events).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode event : events) {
            assertThat(parser.parse(record(event)).deadLetter()).as(event.toString()).isNull();
            assertThat(violations(schema, event)).as(event.toString()).isEmpty();
        }
    }

    @Test
    void everyShippedInvalidEventIsRejectedByBothForTheSameReason() throws IOException {
        JsonSchema schema = schema("event.schema.json");
        for (JsonNode example : lines("invalid-events.jsonl")) {
            JsonNode event = example.get("event");
            DeadLetter letter = parser.parse(record(event)).deadLetter();
            assertThat(letter).as(event.toString()).isNotNull();
            assertThat(letter.reason().code())
                    .as(event.toString())
                    .isEqualTo(example.get("reason").asText());
            assertThat(violations(schema, event)).as(event.toString()).isNotEmpty();
        }
    }

    @Test
    void theStreamTestsBadRecordsFailTheSchemaExactlyWhenTheirReasonIsInTheRecord() {
        JsonSchema schema = schema("event.schema.json");
        int checked = 0;
        for (Map.Entry<String, String> bad : BadRecords.corpus().entrySet()) {
            JsonNode event;
            try {
                event = JSON.readTree(bad.getKey());
            } catch (IOException notJson) {
                continue; // Not JSON at all: no schema applies.
            }
            String reason = bad.getValue();
            List<String> violations = violations(schema, event);
            if (reason.equals("unparsable") && event.isObject()) {
                // A duplicate field or deep nesting: limits of the parser, not of the format.
                continue;
            }
            if (SCHEMA_REASONS.contains(reason) && event.has("key") || !event.isObject()) {
                assertThat(violations).as(reason + ": " + bad.getKey()).isNotEmpty();
            } else if (Set.of("wrong-dimension", "wrong-input-kind", "unknown-model")
                    .contains(reason)) {
                assertThat(violations).as(reason + ": " + bad.getKey()).isEmpty();
            }
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
    }

    @Test
    void labelledEventsValidateWhenTheRetrainingParserAcceptsThemAndOnlyThen() throws IOException {
        JsonSchema schema = schema("labelled-event.schema.json");
        for (JsonNode event : lines("labelled-events.jsonl")) {
            EventParser.LabelledResult result = parser.parseLabelled(record(event));
            assertThat(result.deadLetter()).as(event.toString()).isNull();
            assertThat(violations(schema, event)).as(event.toString()).isEmpty();
        }
        for (JsonNode example : lines("invalid-labelled-events.jsonl")) {
            JsonNode event = example.get("event");
            DeadLetter letter = parser.parseLabelled(record(event)).deadLetter();
            assertThat(letter).as(event.toString()).isNotNull();
            assertThat(letter.reason().code()).isEqualTo(example.get("reason").asText());
            assertThat(violations(schema, event)).as(event.toString()).isNotEmpty();
        }
    }

    @Test
    void whatTheJobWritesAsResultsValidates() throws IOException {
        JsonSchema schema = schema("result.schema.json");
        for (JsonNode result : lines("results.jsonl")) {
            assertThat(violations(schema, result)).as(result.toString()).isEmpty();
        }
        for (Trigger trigger : Trigger.values()) {
            Classification classification =
                    new Classification(
                            "cam-7",
                            trigger == Trigger.GAP ? null : "run-12",
                            "Walking",
                            new String[] {"Running", "Walking"},
                            new float[] {0.25f, 0.75f},
                            100,
                            1732700000000L,
                            1732700009900L,
                            trigger,
                            "motion",
                            2);
            JsonNode written = JSON.readTree(ClassificationSerializer.toJson(classification));
            assertThat(violations(schema, written)).as(written.toString()).isEmpty();
        }
        ObjectNode extra = (ObjectNode) lines("results.jsonl").get(0);
        extra.put("confidence", 0.9);
        assertThat(violations(schema, extra)).as("a field the job does not write").isNotEmpty();
    }

    @Test
    void theHeadersOfEveryDeadLetterValidate() throws IOException {
        JsonSchema schema = schema("dead-letter-headers.schema.json");
        for (JsonNode example : lines("invalid-events.jsonl")) {
            DeadLetter letter = parser.parse(record(example.get("event"))).deadLetter();
            assertThat(violations(schema, headers(letter))).isEmpty();
        }
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            DeadLetter letter =
                    new DeadLetter(reason, "x".repeat(5_000), record(JSON.createObjectNode()));
            assertThat(violations(schema, headers(letter))).as(reason.code()).isEmpty();
        }
        ObjectNode unknown = headers(parser.parse(record(JSON.createObjectNode())).deadLetter());
        unknown.put("reason", "too-late");
        assertThat(violations(schema, unknown)).isNotEmpty();
    }

    @Test
    void announcementsValidateWhenTheStreamAcceptsThemAndOnlyThen() throws IOException {
        JsonSchema schema = schema("announcement.schema.json");
        for (JsonNode announcement : lines("announcements.jsonl")) {
            AnnouncementParser.parse(JSON.writeValueAsBytes(announcement));
            assertThat(violations(schema, announcement)).as(announcement.toString()).isEmpty();
        }
        for (JsonNode announcement : lines("invalid-announcements.jsonl")) {
            boolean refused;
            try {
                AnnouncementParser.parse(JSON.writeValueAsBytes(announcement));
                refused = false;
            } catch (IllegalArgumentException e) {
                refused = true;
            }
            assertThat(refused).as(announcement.toString()).isTrue();
            assertThat(violations(schema, announcement)).as(announcement.toString()).isNotEmpty();
        }
    }

    private static ObjectNode headers(DeadLetter letter) {
        ProducerRecord<byte[], byte[]> written =
                new DeadLetterSerializer("dead-letters").serialize(letter, null, null);
        ObjectNode headers = JSON.createObjectNode();
        for (Header header : written.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static RawRecord record(JsonNode value) {
        try {
            return new RawRecord(
                    "kafka-key".getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(value),
                    "events",
                    0,
                    7,
                    0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> lines(String file) throws IOException {
        return Files.readAllLines(EXAMPLES.resolve(file)).stream()
                .filter(line -> !line.isBlank())
                .map(
                        line -> {
                            try {
                                return JSON.readTree(line);
                            } catch (IOException e) {
                                throw new AssertionError(file + ": " + line, e);
                            }
                        })
                .collect(Collectors.toList());
    }

    private static JsonSchema schema(String file) {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(SchemaLocation.of(SCHEMAS.resolve(file).toUri().toString()));
    }

    private static List<String> violations(JsonSchema schema, JsonNode node) {
        return schema.validate(node).stream().map(ValidationMessage::getMessage).toList();
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs/schemas"))
                    && Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("the repository root (with docs/schemas) not found");
    }
}
