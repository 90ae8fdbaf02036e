package io.rnnstream.stream.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of docs/monitoring: every expression of the Grafana dashboard (panel targets and
 * template variables) and of the Prometheus alert rules, and what they need of the job's metrics:
 * each metric name they query with the labels they group, join or filter it by.
 */
public final class MonitoringQueries {

    private static final Pattern METRIC = Pattern.compile("flink_[A-Za-z0-9_]+");
    private static final Pattern SELECTOR = Pattern.compile("(flink_[A-Za-z0-9_]+)\\{([^}]*)}");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|on)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\((flink_[A-Za-z0-9_]+),\\s*(\\w+)\\)");

    /** Labels the reporter adds or Prometheus computes, not the job. */
    private static final Set<String> NOT_FROM_THE_JOB = Set.of("quantile", "__name__");

    private final List<String> expressions;

    private MonitoringQueries(List<String> expressions) {
        this.expressions = List.copyOf(expressions);
    }

    /**
     * The committed docs/monitoring of this repository, found upwards from the working directory.
     */
    public static MonitoringQueries ofRepository() throws IOException {
        return read(repositoryDirectory());
    }

    /** The repository's docs/monitoring, found upwards from the working directory. */
    public static Path repositoryDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path monitoring = dir.resolve("docs/monitoring");
            if (Files.isDirectory(monitoring) && Files.exists(dir.resolve("mvnw"))) {
                return monitoring;
            }
        }
        throw new IllegalStateException("docs/monitoring of the repository not found");
    }

    /** Reads the dashboard and the alert rules under {@code monitoringDirectory}. */
    public static MonitoringQueries read(Path monitoringDirectory) throws IOException {
        List<String> expressions = new ArrayList<>();
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(monitoringDirectory.resolve("rnnstream-dashboard.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                expressions.add(variable.path("query").asText());
            }
        }
        expressions.addAll(alertExpressions(monitoringDirectory.resolve("alerts.yaml")));
        return new MonitoringQueries(expressions);
    }

    public List<String> expressions() {
        return expressions;
    }

    /**
     * By metric name, the labels the queries use with it: those of its selector, and those an
     * expression groups or joins by ({@code by (...)}, {@code on (...)}), which every metric of
     * that expression must carry.
     */
    public Map<String, Set<String>> labelsByMetric() {
        Map<String, Set<String>> needed = new TreeMap<>();
        for (String expression : expressions) {
            Set<String> grouped = new TreeSet<>();
            Matcher grouping = GROUPING.matcher(expression);
            while (grouping.find()) {
                grouped.addAll(names(grouping.group(1)));
            }
            Matcher metric = METRIC.matcher(expression);
            while (metric.find()) {
                needed.computeIfAbsent(metric.group(), m -> new TreeSet<>()).addAll(grouped);
            }
            Matcher selector = SELECTOR.matcher(expression);
            while (selector.find()) {
                for (String matcher : selector.group(2).split(",")) {
                    String label = matcher.split("[=!~]", 2)[0].trim();
                    if (!label.isEmpty()) {
                        needed.get(selector.group(1)).add(label);
                    }
                }
            }
            Matcher values = LABEL_VALUES.matcher(expression);
            while (values.find()) {
                needed.get(values.group(1)).add(values.group(2));
            }
        }
        needed.values().forEach(labels -> labels.removeAll(NOT_FROM_THE_JOB));
        return needed;
    }

    private static List<String> names(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** The {@code expr: |} blocks of a rules file: the lines indented deeper than the key. */
    private static List<String> alertExpressions(Path rules) throws IOException {
        List<String> found = new ArrayList<>();
        StringBuilder current = null;
        int keyIndent = 0;
        for (String line : Files.readAllLines(rules)) {
            int indent = line.length() - line.stripLeading().length();
            if (current != null && (line.isBlank() || indent > keyIndent)) {
                current.append(line.strip()).append('\n');
                continue;
            }
            if (current != null) {
                found.add(current.toString());
                current = null;
            }
            if (line.strip().startsWith("expr:")) {
                String inline = line.strip().substring("expr:".length()).strip();
                if (inline.equals("|") || inline.equals(">")) {
                    current = new StringBuilder();
                    keyIndent = indent;
                } else {
                    found.add(inline);
                }
            }
        }
        if (current != null) {
            found.add(current.toString());
        }
        return found;
    }
}
