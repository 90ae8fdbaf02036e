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
 * What shadows and the live evaluation cost in the operators alone (JMH, no Kafka), per state
 * backend: the classifier operator's microseconds per event without and with one shadow ({@link
 * OperatorBenchmark}, {@link ShadowOperatorBenchmark}, steps batched as the job's default), and the
 * evaluation's microseconds per labelled sequence ({@link EvaluationJoinBenchmark}), also expressed
 * as the classifier events it costs as much as.
 */
final class ShadowCostSuite {

    private ShadowCostSuite() {}

    static Map<String, Object> run(boolean quick, Path log) throws Exception {
        ChainedOptionsBuilder options =
                JmhOptions.operatorRun(quick, log)
                        .include(ShadowOperatorBenchmark.class.getName() + "\\.")
                        .include(OperatorBenchmark.class.getName() + "\\.")
                        .include(EvaluationJoinBenchmark.class.getName() + "\\.")
                        .param("batchSteps", "true");
        Map<String, Map<String, Double>> byBackend = new LinkedHashMap<>();
        for (RunResult result : new Runner(options.build()).run()) {
            String benchmark = result.getParams().getBenchmark();
            String kind =
                    benchmark.startsWith(ShadowOperatorBenchmark.class.getName())
                            ? "oneShadowUsPerEvent"
                            : benchmark.startsWith(OperatorBenchmark.class.getName())
                                    ? "noShadowUsPerEvent"
                                    : "evaluationUsPerLabelledSequence";
            byBackend
                    .computeIfAbsent(
                            result.getParams().getParam("backend"), b -> new LinkedHashMap<>())
                    .put(kind, StepSuite.median(StepSuite.scores(result)));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byBackend.forEach(
                (backend, micros) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("backend", backend);
                    row.putAll(micros);
                    double none = micros.get("noShadowUsPerEvent");
                    row.put("noShadowOverOneShadow", none / micros.get("oneShadowUsPerEvent"));
                    row.put(
                            "evaluationInClassifierEvents",
                            micros.get("evaluationUsPerLabelledSequence") / none);
                    rows.add(row);
                });
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("keys", OperatorBenchmark.KEYS);
        report.put("eventsPerLabelledSequence", EvaluationJoinBenchmark.LENGTH);
        report.put("rows", rows);
        return report;
    }
}
