package io.rnnstream.core.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a {@link Dataset} as JSON Lines that {@link JsonlReader} reads back to the same sequences:
 * {@code id}, {@code label} and either {@code features} or {@code tokens} (never {@code text}, so
 * tokens are not tokenized a second time). Used to keep a hold-out split next to a model.
 */
public final class JsonlWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonlWriter() {}

    /** Writes {@code dataset} to {@code path}, replacing it in one rename once complete. */
    public static void write(Dataset dataset, Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path staging = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        try (BufferedWriter out = Files.newBufferedWriter(staging, StandardCharsets.UTF_8)) {
            for (LabeledSequence sequence : dataset.sequences()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", sequence.id());
                line.put("label", sequence.label());
                if (sequence.features() != null) {
                    line.put("features", sequence.features());
                } else {
                    line.put("tokens", sequence.tokens());
                }
                out.write(MAPPER.writeValueAsString(line));
                out.newLine();
            }
        } catch (IOException e) {
            Files.deleteIfExists(staging);
            throw e;
        }
        Files.move(staging, absolute, StandardCopyOption.REPLACE_EXISTING);
    }
}
