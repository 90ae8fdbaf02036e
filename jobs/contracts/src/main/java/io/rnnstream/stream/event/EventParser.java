package io.rnnstream.stream.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rnnstream.core.text.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the JSON event format. Never throws: every problem becomes a {@link DeadLetter} that names
 * the field and what was expected.
 *
 * <pre>{@code
 * {"key": "cam-7", "ts": 1732700000000, "seq": "run-12", "features": [0.1, -2.0, 3.5], "end": false}
 * {"key": "chat-3", "ts": 1732700000100, "text": "what a lovely film", "end": true}
 * {"key": "chat-4", "ts": 1732700000200, "token": "lovely", "model": "sentiment"}
 * }</pre>
 *
 * <p>{@code key} falls back to the Kafka record key. {@code ts} is epoch milliseconds. Exactly one
 * of {@code features}, {@code text} and {@code token} is required. {@code model} defaults to the
 * job's default model. Unknown fields are ignored so producers can add their own.
 *
 * <p>Events of a language model (a model named in the job's language models) may instead carry only
 * {@code "continue": N}, asking for N generated symbols, or carry it beside their input; their
 * {@code text} may hold no word (a character model reads punctuation too), but not be empty.
 */
public final class EventParser {

    /** Caps that keep one hostile record from costing much memory or time. */
    static final int MAX_FEATURES = 65_536;

    static final int MAX_TOKENS = 4_096;
    static final int MAX_KEY_LENGTH = 1_024;

    /** The most symbols one {@code continue} may ask for before the job's own, lower cap. */
    public static final int MAX_CONTINUATION = 100_000;

    private final ObjectMapper mapper;
    private final int maxRecordBytes;
    private final String defaultModel;
    private final Set<String> languageModels;

    /** The outcome: an event or a dead letter, never both. */
    public record Result(Event event, DeadLetter deadLetter) {}

    public EventParser(int maxRecordBytes, String defaultModel) {
        this(maxRecordBytes, defaultModel, Set.of());
    }

    /**
     * @param languageModels names of the models that are language models, whose events may ask for
     *     continuations and may carry text without words
     */
    public EventParser(int maxRecordBytes, String defaultModel, Set<String> languageModels) {
        this.maxRecordBytes = maxRecordBytes;
        this.defaultModel = defaultModel;
        this.languageModels = Set.copyOf(languageModels);
        this.mapper =
                JsonMapper.builder()
                        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                        .build();
        mapper.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(32)
                                .maxStringLength(maxRecordBytes)
                                .maxNumberLength(64)
                                .build());
    }

    public Result parse(RawRecord record) {
        try {
            return new Result(parseOrThrow(record), null);
        } catch (Rejection rejection) {
            return new Result(
                    null, new DeadLetter(rejection.reason, rejection.getMessage(), record));
        }
    }

    /**
     * The outcome for a record of a labelled stream (for retraining): the event and its {@code
     * label} field (null when absent), or a dead letter.
     */
    public record LabelledResult(Event event, String label, DeadLetter deadLetter) {}

    /** Parses an event that may carry a {@code label} (a non-empty string). */
    public LabelledResult parseLabelled(RawRecord record) {
        try {
            JsonNode node = readObject(record);
            Event event = eventFrom(node, record);
            return new LabelledResult(event, optionalString(node, "label", null), null);
        } catch (Rejection rejection) {
            return new LabelledResult(
                    null, null, new DeadLetter(rejection.reason, rejection.getMessage(), record));
        }
    }

    private Event parseOrThrow(RawRecord record) throws Rejection {
        return eventFrom(readObject(record), record);
    }

    private JsonNode readObject(RawRecord record) throws Rejection {
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            throw new Rejection(
                    DeadLetterReason.UNPARSABLE, "record has no value; expected a JSON object");
        }
        if (value.length > maxRecordBytes) {
            throw new Rejection(
                    DeadLetterReason.OVERSIZED,
                    "record has " + value.length + " bytes, the limit is " + maxRecordBytes);
        }
        JsonNode node;
        try {
            node = mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new Rejection(
                    DeadLetterReason.UNPARSABLE, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejection(DeadLetterReason.UNPARSABLE, "not readable: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new Rejection(DeadLetterReason.UNPARSABLE, "expected a JSON object");
        }
        return node;
    }

    private Event eventFrom(JsonNode node, RawRecord record) throws Rejection {
        String key = key(node, record);
        long timestamp = timestamp(node);
        String model = optionalString(node, "model", defaultModel);
        String sequenceId = sequenceId(node);
        boolean end = end(node);
        boolean languageModel = languageModels.contains(model);
        int continuation = continuation(node, model, languageModel);

        int inputs =
                (node.has("features") ? 1 : 0)
                        + (node.has("text") ? 1 : 0)
                        + (node.has("token") ? 1 : 0);
        if (inputs == 0 && continuation > 0) {
            return new Event(
                    key, model, timestamp, sequenceId, null, null, end, record, null, continuation);
        }
        if (inputs != 1) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "expected exactly one of the fields features, text and token, found " + inputs);
        }
        float[] features = null;
        String[] tokens = null;
        String rawText = null;
        if (node.has("features")) {
            features = features(node.get("features"));
        } else if (node.has("text")) {
            JsonNode text = node.get("text");
            if (!text.isTextual()) {
                throw new Rejection(
                        DeadLetterReason.INVALID_FIELD,
                        "field text: expected a string, got " + type(text));
            }
            List<String> words = Tokenizer.tokenize(text.asText());
            if (languageModel) {
                if (text.asText().isEmpty()) {
                    throw new Rejection(DeadLetterReason.INVALID_FIELD, "field text: is empty");
                }
                if (text.asText().length() > MAX_TOKENS) {
                    throw new Rejection(
                            DeadLetterReason.OVERSIZED,
                            "field text: "
                                    + text.asText().length()
                                    + " characters, the limit for a language model is "
                                    + MAX_TOKENS);
                }
                rawText = text.asText();
            } else if (words.isEmpty()) {
                throw new Rejection(DeadLetterReason.INVALID_FIELD, "field text: contains no word");
            }
            if (words.size() > MAX_TOKENS) {
                throw new Rejection(
                        DeadLetterReason.OVERSIZED,
                        "field text: " + words.size() + " tokens, the limit is " + MAX_TOKENS);
            }
            tokens = words.toArray(String[]::new);
        } else {
            JsonNode token = node.get("token");
            if (!token.isTextual() || token.asText().isBlank()) {
                throw new Rejection(
                        DeadLetterReason.INVALID_FIELD, "field token: expected a non-empty string");
            }
            tokens = new String[] {token.asText().strip().toLowerCase(Locale.ROOT)};
        }
        return new Event(
                key,
                model,
                timestamp,
                sequenceId,
                features,
                tokens,
                end,
                record,
                rawText,
                continuation);
    }

    private static int continuation(JsonNode node, String model, boolean languageModel)
            throws Rejection {
        JsonNode field = node.get("continue");
        if (field == null || field.isNull()) {
            return 0;
        }
        if (!languageModel) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field continue: model '"
                            + model
                            + "' is not a language model of this job; only those generate");
        }
        if (!field.canConvertToInt() || !field.isIntegralNumber() || field.asInt() < 1) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field continue: expected a positive integer, got " + field);
        }
        if (field.asInt() > MAX_CONTINUATION) {
            throw new Rejection(
                    DeadLetterReason.OVERSIZED,
                    "field continue: "
                            + field.asInt()
                            + " symbols, the limit is "
                            + MAX_CONTINUATION);
        }
        return field.asInt();
    }

    private static String key(JsonNode node, RawRecord record) throws Rejection {
        String key;
        if (node.has("key")) {
            JsonNode field = node.get("key");
            if (!field.isTextual() && !field.isIntegralNumber()) {
                throw new Rejection(
                        DeadLetterReason.INVALID_FIELD,
                        "field key: expected a string, got " + type(field));
            }
            key = field.asText();
        } else if (record.key() != null) {
            key = new String(record.key(), StandardCharsets.UTF_8);
        } else {
            throw new Rejection(
                    DeadLetterReason.MISSING_KEY, "no field key and no Kafka record key");
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new Rejection(
                    DeadLetterReason.MISSING_KEY,
                    "key must have 1 to " + MAX_KEY_LENGTH + " characters, has " + key.length());
        }
        return key;
    }

    private static long timestamp(JsonNode node) throws Rejection {
        JsonNode ts = node.get("ts");
        if (ts == null || ts.isNull()) {
            throw new Rejection(
                    DeadLetterReason.MISSING_TIMESTAMP,
                    "field ts is missing; expected epoch milliseconds");
        }
        if (!ts.isIntegralNumber() || !ts.canConvertToLong() || ts.asLong() < 0) {
            throw new Rejection(
                    DeadLetterReason.MISSING_TIMESTAMP,
                    "field ts: expected non-negative epoch milliseconds, got "
                            + abbreviate(ts.toString()));
        }
        return ts.asLong();
    }

    private static String sequenceId(JsonNode node) throws Rejection {
        JsonNode seq = node.get("seq");
        if (seq == null || seq.isNull()) {
            return null;
        }
        if (!seq.isTextual() && !seq.isIntegralNumber()) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field seq: expected a string or an integer, got " + type(seq));
        }
        String text = seq.asText();
        if (text.length() > MAX_KEY_LENGTH) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field seq: longer than " + MAX_KEY_LENGTH + " characters");
        }
        return text;
    }

    private static boolean end(JsonNode node) throws Rejection {
        JsonNode end = node.get("end");
        if (end == null || end.isNull()) {
            return false;
        }
        if (!end.isBoolean()) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field end: expected true or false, got " + type(end));
        }
        return end.asBoolean();
    }

    private static String optionalString(JsonNode node, String field, String fallback)
            throws Rejection {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()
                || value.asText().isBlank()
                || value.asText().length() > MAX_KEY_LENGTH) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field " + field + ": expected a non-empty string");
        }
        return value.asText();
    }

    private static float[] features(JsonNode node) throws Rejection {
        if (!node.isArray() || node.isEmpty()) {
            throw new Rejection(
                    DeadLetterReason.INVALID_FIELD,
                    "field features: expected a non-empty list of numbers, got " + type(node));
        }
        if (node.size() > MAX_FEATURES) {
            throw new Rejection(
                    DeadLetterReason.OVERSIZED,
                    "field features: " + node.size() + " values, the limit is " + MAX_FEATURES);
        }
        float[] features = new float[node.size()];
        for (int i = 0; i < features.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isNumber()) {
                throw new Rejection(
                        DeadLetterReason.INVALID_FIELD,
                        "field features[" + i + "]: expected a number, got " + type(value));
            }
            double d = value.doubleValue();
            float f = (float) d;
            if (!Double.isFinite(d) || !Float.isFinite(f)) {
                throw new Rejection(
                        DeadLetterReason.NON_FINITE_VALUE,
                        "field features["
                                + i
                                + "]: "
                                + abbreviate(value.toString())
                                + " is not a finite float");
            }
            features[i] = f;
        }
        return features;
    }

    private static String type(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    /** A reason to dead-letter the record, thrown within the parser only. */
    private static final class Rejection extends Exception {
        private final DeadLetterReason reason;

        Rejection(DeadLetterReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}
