package io.rnnstream.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;

/**
 * Runs {@link OperatorBenchmark} and returns, per state backend, the classifier operator's
 * microseconds per event with steps batched per watermark advance and one key at a time (medians of
 * the measurement iterations) and their ratio.
 */
final class OperatorSuite {

    private OperatorSuite() {}

    static List<Map<String, Object>> run(boolean quick, Path log) throws Exception {
        ChainedOptionsBuilder options =
                JmhOptions.operatorRun(quick, log)
                        .include(OperatorBenchmark.class.getName() + "\\.");
        if (quick) {
            options.param("backend", "hashmap");
        }
        Map<String, Map<Boolean, Double>> byBackend = new LinkedHashMap<>();
        for (RunResult result : new Runner(options.build()).run()) {
            byBackend
                    .computeIfAbsent(
                            result.getParams().getParam("backend"), b -> new LinkedHashMap<>())
                    .put(
                            Boolean.parseBoolean(result.getParams().getParam("batchSteps")),
                            StepSuite.median(StepSuite.scores(result)));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byBackend.forEach(
                (backend, micros) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("backend", backend);
                    row.put("keys", OperatorBenchmark.KEYS);
                    row.put("eventsPerAdvance", OperatorBenchmark.EVENTS_PER_ADVANCE);
                    row.put("batchedUsPerEvent", micros.get(true));
                    row.put("oneKeyUsPerEvent", micros.get(false));
                    row.put("oneKeyOverBatched", micros.get(false) / micros.get(true));
                    rows.add(row);
                });
        return rows;
    }
}
