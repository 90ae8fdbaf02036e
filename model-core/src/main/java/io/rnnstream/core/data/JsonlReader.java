package io.rnnstream.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.text.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads JSON Lines, one labelled sequence per line:
 *
 * <pre>{@code
 * {"id": "walk-17", "features": [[0.1, 2.0, -1.3], [0.2, 1.9, -1.1]], "label": "Walking"}
 * {"id": "review-3", "text": "a gripping, funny film", "label": "positive"}
 * {"tokens": ["not", "good"], "label": "negative"}
 * }</pre>
 *
 * <p>{@code label} is required; so is exactly one of {@code features} (a non-empty list of
 * equal-length number lists, the same length on every line), {@code tokens} (a non-empty list of
 * strings, used as they are) or {@code text} (tokenized with {@link Tokenizer}). {@code id} is
 * optional and defaults to {@code file:line}. Blank lines are skipped; other fields are ignored.
 * Labels are ordered alphabetically.
 */
public final class JsonlReader {

    /** One object per line: anything after it on the line is an error, not silently ignored. */
    private static final ObjectMapper MAPPER =
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private JsonlReader() {}

    public static Dataset read(Path path) throws IOException {
        String file = path.toString();
        List<LabeledSequence> sequences = new ArrayList<>();
        TreeSet<String> labels = new TreeSet<>();
        InputKind kind = null;
        int dimension = 0;
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            long lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new DataFormatException(
                            file, lineNumber, "line", "not valid JSON: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new DataFormatException(
                            file, lineNumber, "line", "expected a JSON object");
                }
                String id =
                        node.hasNonNull("id")
                                ? node.get("id").asText()
                                : Path.of(file).getFileName() + ":" + lineNumber;
                JsonNode labelNode = node.get("label");
                if (labelNode == null || !labelNode.isTextual() || labelNode.asText().isBlank()) {
                    throw new DataFormatException(
                            file, lineNumber, "label", "expected a non-empty string");
                }
                String label = labelNode.asText();
                int present =
                        (node.has("features") ? 1 : 0)
                                + (node.has("tokens") ? 1 : 0)
                                + (node.has("text") ? 1 : 0);
                if (present != 1) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "features/tokens/text",
                            "expected exactly one of them, found " + present);
                }
                LabeledSequence sequence;
                if (node.has("features")) {
                    float[][] features =
                            parseFeatures(file, lineNumber, node.get("features"), dimension);
                    dimension = features[0].length;
                    sequence = LabeledSequence.ofFeatures(id, features, label);
                } else if (node.has("tokens")) {
                    sequence =
                            LabeledSequence.ofTokens(
                                    id, parseTokens(file, lineNumber, node.get("tokens")), label);
                } else {
                    JsonNode text = node.get("text");
                    if (!text.isTextual()) {
                        throw new DataFormatException(
                                file, lineNumber, "text", "expected a string");
                    }
                    List<String> tokens = Tokenizer.tokenize(text.asText());
                    if (tokens.isEmpty()) {
                        throw new DataFormatException(file, lineNumber, "text", "contains no word");
                    }
                    sequence = LabeledSequence.ofTokens(id, tokens, label);
                }
                InputKind lineKind =
                        sequence.features() != null ? InputKind.FEATURES : InputKind.TOKENS;
                if (kind == null) {
                    kind = lineKind;
                } else if (kind != lineKind) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            lineKind == InputKind.FEATURES ? "features" : "tokens/text",
                            "the lines before hold " + kind + "; one file holds one kind of input");
                }
                labels.add(label);
                sequences.add(sequence);
            }
        }
        if (sequences.isEmpty()) {
            throw new DataFormatException(file, 0, "file", "no sequences");
        }
        return new Dataset(
                file,
                sequences,
                List.copyOf(labels),
                kind,
                kind == InputKind.FEATURES ? dimension : 0);
    }

    private static float[][] parseFeatures(
            String file, long lineNumber, JsonNode node, int expectedDimension)
            throws DataFormatException {
        if (!node.isArray() || node.isEmpty()) {
            throw new DataFormatException(
                    file, lineNumber, "features", "expected a non-empty list of number lists");
        }
        float[][] features = new float[node.size()][];
        int dimension = expectedDimension;
        for (int t = 0; t < node.size(); t++) {
            JsonNode step = node.get(t);
            String field = "features[" + t + "]";
            if (!step.isArray() || step.isEmpty()) {
                throw new DataFormatException(
                        file, lineNumber, field, "expected a non-empty list of numbers");
            }
            if (dimension == 0) {
                dimension = step.size();
            } else if (step.size() != dimension) {
                throw new DataFormatException(
                        file,
                        lineNumber,
                        field,
                        "expected " + dimension + " numbers, got " + step.size());
            }
            float[] values = new float[dimension];
            Iterator<JsonNode> it = step.elements();
            for (int i = 0; it.hasNext(); i++) {
                JsonNode value = it.next();
                if (!value.isNumber()) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            field + "[" + i + "]",
                            "expected a number, got " + value.getNodeType());
                }
                values[i] = value.floatValue();
                if (!Float.isFinite(values[i])) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            field + "[" + i + "]",
                            "expected a finite float, got " + value.asText());
                }
            }
            features[t] = values;
        }
        return features;
    }

    private static List<String> parseTokens(String file, long lineNumber, JsonNode node)
            throws DataFormatException {
        if (!node.isArray() || node.isEmpty()) {
            throw new DataFormatException(
                    file, lineNumber, "tokens", "expected a non-empty list of strings");
        }
        List<String> tokens = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode token = node.get(i);
            if (!token.isTextual() || token.asText().isEmpty()) {
                throw new DataFormatException(
                        file, lineNumber, "tokens[" + i + "]", "expected a non-empty string");
            }
            tokens.add(token.asText());
        }
        return tokens;
    }
}
