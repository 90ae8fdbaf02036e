package io.rnnstream.core.data;

import io.rnnstream.core.model.InputKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads sktime / UEA {@code .ts} files: multivariate, equal- or variable-length, with class labels.
 *
 * <p>The header's {@code @classLabel true ...} fixes the label order. Each data line holds one
 * case: dimensions separated by {@code :}, values within a dimension by {@code ,}, the label last.
 * Every dimension of a case must have the same length. Time stamps and missing values are refused
 * with a message, since a recurrent classifier needs evenly spaced, complete steps.
 */
public final class TsReader {

    private TsReader() {}

    public static Dataset read(Path path) throws IOException {
        String file = path.toString();
        List<String> labels = null;
        Integer declaredDimensions = null;
        boolean inData = false;
        int dimension = -1;
        List<LabeledSequence> sequences = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            long lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (!inData) {
                    if (!trimmed.startsWith("@")) {
                        throw new DataFormatException(
                                file, lineNumber, "header", "expected a line starting with @ or #");
                    }
                    String[] parts = trimmed.split("\\s+");
                    String key = parts[0].toLowerCase(Locale.ROOT);
                    switch (key) {
                        case "@data" -> inData = true;
                        case "@timestamps" -> {
                            if (parts.length > 1 && parts[1].equalsIgnoreCase("true")) {
                                throw new DataFormatException(
                                        file,
                                        lineNumber,
                                        "@timeStamps",
                                        "time-stamped series are not supported");
                            }
                        }
                        case "@dimensions" ->
                                declaredDimensions =
                                        parsePositiveInt(file, lineNumber, "@dimensions", parts);
                        case "@classlabel" -> {
                            if (parts.length < 2 || !parts[1].equalsIgnoreCase("true")) {
                                throw new DataFormatException(
                                        file,
                                        lineNumber,
                                        "@classLabel",
                                        "expected 'true' followed by the labels");
                            }
                            labels = List.of(Arrays.copyOfRange(parts, 2, parts.length));
                            if (labels.size() < 2) {
                                throw new DataFormatException(
                                        file,
                                        lineNumber,
                                        "@classLabel",
                                        "expected at least two labels");
                            }
                        }
                        default -> {
                            // @problemName, @univariate, @equalLength, @seriesLength, @missing:
                            // informative only, the data lines are checked directly.
                        }
                    }
                    continue;
                }
                if (labels == null) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "@classLabel",
                            "missing before @data; unlabelled files cannot be used");
                }
                LabeledSequence sequence = parseCase(file, lineNumber, trimmed, labels);
                int caseDimension = sequence.features()[0].length;
                if (declaredDimensions != null && caseDimension != declaredDimensions) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "dimensions",
                            "expected "
                                    + declaredDimensions
                                    + " (from @dimensions), got "
                                    + caseDimension);
                }
                if (dimension == -1) {
                    dimension = caseDimension;
                } else if (caseDimension != dimension) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "dimensions",
                            "expected "
                                    + dimension
                                    + " like the cases before, got "
                                    + caseDimension);
                }
                sequences.add(sequence);
            }
        }
        if (!inData) {
            throw new DataFormatException(file, 0, "@data", "the file has no @data line");
        }
        if (sequences.isEmpty()) {
            throw new DataFormatException(file, 0, "@data", "no cases after @data");
        }
        return new Dataset(file, sequences, labels, InputKind.FEATURES, dimension);
    }

    private static LabeledSequence parseCase(
            String file, long lineNumber, String line, List<String> labels)
            throws DataFormatException {
        String[] fields = line.split(":", -1);
        if (fields.length < 2) {
            throw new DataFormatException(
                    file, lineNumber, "case", "expected dimensions and a label separated by ':'");
        }
        String label = fields[fields.length - 1].strip();
        if (!labels.contains(label)) {
            throw new DataFormatException(
                    file,
                    lineNumber,
                    "label",
                    "'" + label + "' is not one of the @classLabel labels " + labels);
        }
        int dimensions = fields.length - 1;
        float[][] channels = new float[dimensions][];
        for (int d = 0; d < dimensions; d++) {
            String[] values = fields[d].split(",", -1);
            if (values.length == 0 || fields[d].isBlank()) {
                throw new DataFormatException(
                        file, lineNumber, "dimension " + (d + 1), "no values");
            }
            float[] channel = new float[values.length];
            for (int t = 0; t < values.length; t++) {
                String value = values[t].strip();
                try {
                    channel[t] = Float.parseFloat(value);
                } catch (NumberFormatException e) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "dimension " + (d + 1) + " value " + (t + 1),
                            "expected a number, got '" + value + "'");
                }
                if (!Float.isFinite(channel[t])) {
                    throw new DataFormatException(
                            file,
                            lineNumber,
                            "dimension " + (d + 1) + " value " + (t + 1),
                            "expected a finite number, got '"
                                    + value
                                    + "' (missing values are not supported)");
                }
            }
            if (d > 0 && channel.length != channels[0].length) {
                throw new DataFormatException(
                        file,
                        lineNumber,
                        "dimension " + (d + 1),
                        "expected "
                                + channels[0].length
                                + " values like dimension 1, got "
                                + channel.length);
            }
            channels[d] = channel;
        }
        int steps = channels[0].length;
        float[][] features = new float[steps][dimensions];
        for (int t = 0; t < steps; t++) {
            for (int d = 0; d < dimensions; d++) {
                features[t][d] = channels[d][t];
            }
        }
        return LabeledSequence.ofFeatures(
                Path.of(file).getFileName() + ":" + lineNumber, features, label);
    }

    private static int parsePositiveInt(String file, long lineNumber, String field, String[] parts)
            throws DataFormatException {
        try {
            int value = Integer.parseInt(parts.length > 1 ? parts[1] : "");
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DataFormatException(file, lineNumber, field, "expected a positive integer");
    }
}
