package io.rnnstream.stream.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What Flink's PrometheusReporter serves, scraped over HTTP from every port of a range (the
 * JobManager and each TaskManager of a MiniCluster take one each): metric names with the label
 * names of their samples.
 */
public final class PrometheusScrape {

    private final Map<String, Set<String>> labelsByMetric;

    private PrometheusScrape(Map<String, Set<String>> labelsByMetric) {
        this.labelsByMetric = labelsByMetric;
    }

    /** Scrapes {@code http://localhost:PORT/} for each port from {@code first} to {@code last}. */
    public static PrometheusScrape ports(int first, int last) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, Set<String>> labels = new TreeMap<>();
        for (int port = first; port <= last; port++) {
            String body;
            try {
                body =
                        http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://localhost:" + port + "/"))
                                                .timeout(Duration.ofSeconds(10))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
            } catch (IOException nobodyThere) {
                continue; // a port of the range no reporter took
            }
            for (String line : body.lines().toList()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.indexOf(' ');
                String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
                Set<String> names = labels.computeIfAbsent(name, n -> new TreeSet<>());
                if (brace >= 0 && brace < space) {
                    String inside = line.substring(brace + 1, line.lastIndexOf('}'));
                    for (String pair : inside.split("\",")) {
                        int equals = pair.indexOf('=');
                        if (equals > 0) {
                            names.add(pair.substring(0, equals).trim());
                        }
                    }
                }
            }
        }
        return new PrometheusScrape(labels);
    }

    /** Every metric served, with the union of its samples' label names. */
    public Map<String, Set<String>> labelsByMetric() {
        return labelsByMetric;
    }
}
