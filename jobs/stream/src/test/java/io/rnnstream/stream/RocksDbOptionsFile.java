package io.rnnstream.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The options RocksDB actually opened its column families with, as it writes them into each
 * database's newest {@code OPTIONS-*} file: what a running job's state backend really did with its
 * configuration.
 */
final class RocksDbOptionsFile {

    private static final Pattern SECTION = Pattern.compile("^\\[([A-Za-z/]+) \"(.*)\"\\]$");

    /** One column family's compression per level and table filter policy. */
    record ColumnFamily(String name, List<String> compressionPerLevel, String filterPolicy) {}

    private RocksDbOptionsFile() {}

    /**
     * Every column family but RocksDB's own {@code default} in every database under {@code root}.
     */
    static List<ColumnFamily> stateColumnFamilies(Path root) throws IOException {
        List<ColumnFamily> families = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> databases =
                    files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                            .map(Path::getParent)
                            .distinct()
                            .toList();
            for (Path database : databases) {
                families.addAll(read(newestOptions(database)));
            }
        }
        return families.stream().filter(f -> !f.name().equals("default")).toList();
    }

    private static Path newestOptions(Path database) throws IOException {
        try (Stream<Path> files = Files.list(database)) {
            return files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                    .max(Comparator.comparing(f -> f.getFileName().toString()))
                    .orElseThrow();
        }
    }

    private static List<ColumnFamily> read(Path options) {
        Map<String, String> compression = new HashMap<>();
        Map<String, String> filters = new HashMap<>();
        String kind = "";
        String family = "";
        try {
            for (String raw : Files.readAllLines(options)) {
                String line = raw.trim();
                Matcher section = SECTION.matcher(line);
                if (section.matches()) {
                    kind = section.group(1);
                    family = section.group(2);
                } else if (kind.equals("CFOptions") && line.startsWith("compression_per_level=")) {
                    compression.put(family, value(line));
                } else if (kind.equals("TableOptions/BlockBasedTable")
                        && line.startsWith("filter_policy=")) {
                    filters.put(family, value(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ColumnFamily> families = new ArrayList<>();
        for (Map.Entry<String, String> entry : compression.entrySet()) {
            List<String> levels =
                    entry.getValue().isEmpty()
                            ? List.of()
                            : Arrays.asList(entry.getValue().split(":"));
            families.add(
                    new ColumnFamily(
                            entry.getKey(), levels, filters.getOrDefault(entry.getKey(), "")));
        }
        return families;
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1).trim();
    }
}
