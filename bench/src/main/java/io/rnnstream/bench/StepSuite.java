package io.rnnstream.bench;

import io.rnnstream.core.model.CellType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the per-event JMH benchmarks and the FMA-peak kernel in one JMH run and returns, per model
 * shape, the median over measurement iterations of every contender, in microseconds per key-step.
 */
final class StepSuite {

    /** One model shape. */
    record Shape(CellType cell, int hidden, int input) {
        String key() {
            return cell + ":" + hidden + ":" + input;
        }
    }

    /**
     * Medians per shape and benchmark method, and the FMA kernel's nanoseconds per FMA from its
     * fastest iteration: a peak is what the core can do, and other processes on a shared machine
     * only ever slow an iteration down (a median of the kernel came out four times too slow at a
     * load average of 20, which made the bound meaningless; one run of 7 iterations still came out
     * twice too slow, hence many short iterations in two runs).
     */
    record Result(Map<Shape, Map<String, Double>> medians, double nanosPerFma) {}

    static final List<String> CONTENDERS =
            List.of(
                    "servingStep",
                    "servingBatchStep",
                    "servingStepScalar",
                    "servingBatchStepScalar",
                    "dl4jTimeStep",
                    "dl4jBatchStep",
                    "dl4jWindowRecompute");

    private StepSuite() {}

    static List<Shape> shapes(boolean quick) {
        if (quick) {
            return List.of(new Shape(CellType.LSTM, 64, 16));
        }
        List<Shape> shapes = new ArrayList<>();
        for (CellType cell : List.of(CellType.LSTM, CellType.ELMAN)) {
            for (int hidden : new int[] {64, 128, 256}) {
                for (int input : new int[] {16, 64}) {
                    shapes.add(new Shape(cell, hidden, input));
                }
            }
        }
        return shapes;
    }

    /**
     * The FMA kernel runs in its own short JMH runs before and after the step benchmarks, many
     * short iterations each, and the fastest iteration of either counts: on a shared machine that
     * is the best chance to see the core's real peak.
     */
    static Result run(boolean quick, Path logDirectory) throws RunnerException {
        double before = fmaPeak(quick, logDirectory.resolve("jmh-fma-before.log"));
        ChainedOptionsBuilder options =
                common().include(StepBenchmark.class.getName() + "\\.")
                        .warmupIterations(quick ? 3 : 5)
                        .warmupTime(TimeValue.milliseconds(quick ? 300 : 1000))
                        .measurementIterations(quick ? 3 : 7)
                        .measurementTime(TimeValue.milliseconds(quick ? 200 : 500))
                        .output(logDirectory.resolve("jmh-steps.log").toString());
        if (quick) {
            options.param("cell", "LSTM").param("hidden", "64").param("input", "16");
        }
        Map<Shape, Map<String, Double>> medians = new LinkedHashMap<>();
        for (RunResult result : new Runner(options.build()).run()) {
            String benchmark = result.getParams().getBenchmark();
            Shape shape =
                    new Shape(
                            CellType.valueOf(result.getParams().getParam("cell")),
                            Integer.parseInt(result.getParams().getParam("hidden")),
                            Integer.parseInt(result.getParams().getParam("input")));
            medians.computeIfAbsent(shape, s -> new LinkedHashMap<>())
                    .put(
                            benchmark.substring(benchmark.lastIndexOf('.') + 1),
                            median(scores(result)));
        }
        double after = fmaPeak(quick, logDirectory.resolve("jmh-fma-after.log"));
        return new Result(medians, Math.min(before, after));
    }

    /** Nanoseconds per FMA in the kernel's fastest iteration. */
    private static double fmaPeak(boolean quick, Path log) throws RunnerException {
        ChainedOptionsBuilder options =
                common().include(FmaPeakBenchmark.class.getName() + "\\.")
                        .warmupIterations(3)
                        .warmupTime(TimeValue.milliseconds(300))
                        .measurementIterations(quick ? 5 : 20)
                        .measurementTime(TimeValue.milliseconds(100))
                        .output(log.toString());
        double best = Double.POSITIVE_INFINITY;
        for (RunResult result : new Runner(options.build()).run()) {
            best = Math.min(best, scores(result).get(0));
        }
        return best / FmaPeakBenchmark.fmasPerInvocation();
    }

    private static ChainedOptionsBuilder common() {
        return new OptionsBuilder()
                .forks(1)
                .jvmArgs("-Xmx2g", "--add-modules=jdk.incubator.vector")
                .shouldFailOnError(true);
    }

    /** Every measurement iteration's score, fastest first. */
    static List<Double> scores(RunResult result) {
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
            for (IterationResult iteration : benchmark.getIterationResults()) {
                scores.add(iteration.getPrimaryResult().getScore());
            }
        }
        scores.sort(Double::compare);
        return scores;
    }

    /** The median of scores sorted ascending. */
    static double median(List<Double> scores) {
        int n = scores.size();
        return n % 2 == 1 ? scores.get(n / 2) : (scores.get(n / 2 - 1) + scores.get(n / 2)) / 2;
    }
}
