package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.kafka.KafkaClients;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.EmbeddedKafka;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.rocksdb.CompressionType;

/**
 * End to end on a real broker and Flink (issue 7, items 2 and 3), all figures from one run:
 *
 * <ul>
 *   <li>throughput through Kafka → streaming job → Kafka of the classifier with a 64-unit LSTM
 *       against a pass-through baseline, at-least-once and exactly-once, heap and RocksDB state, 1
 *       thousand to 1 million keys;
 *   <li>window recompute: the same source, parsing and sink with a keyed function that re-runs each
 *       key's last 50 events through the model for every event, by DL4J and by the serving step;
 *   <li>latency percentiles at half the classifier's maximum rate measured above, with the job's
 *       defaults and with low-latency settings;
 *   <li>savepoint bytes per key and the time to restore a savepoint against a start without state.
 * </ul>
 *
 * <p>The pass-through baseline is the same job (source, parsing, event-time ordering, keyed state
 * read and written per event, sink) serving a one-unit Elman model: about 1/1,000 of the LSTM's
 * arithmetic, so the difference is the RNN's cost. For throughput, events are produced before the
 * job starts (once per shape, shared by the jobs that read it) and read at full speed; throughput
 * is the events of the first 90% of the sequences divided by the time from submitting the job to
 * the broker's append time of the result that completes them: it includes the job's start (about a
 * second, the same for every job) and leaves out the quiet period that flushes the last sequences.
 *
 * <p>Arguments: {@code [--quick] [--out DIR]}; writes {@code e2e-<mode>.json} and {@code .md}.
 */
public final class EndToEndSuite {

    private static final int LSTM_HIDDEN = 64;
    private static final int LENGTH = 10;

    /**
     * RocksDB with 1.5 GB of managed memory (block cache and write buffers) instead of a local
     * environment's 128 MB: enough to hold a million keys' LSTM-64 states (600 MB).
     */
    static final String ROCKSDB_LARGE_CACHE = "rocksdb, 1.5 GB managed memory";

    /**
     * RocksDB with the managed memory Flink gives a TaskManager of the Helm chart's default size
     * ({@link #CHART_TASK_MANAGER_MEMORY}, two slots as here) with Flink's default managed
     * fraction: what a deployment with the chart's defaults has, where a local environment has 128
     * MB.
     */
    static final String ROCKSDB_CHART_MEMORY = "rocksdb, managed memory of the chart's TaskManager";

    /** The Helm chart's default TaskManager process size ({@code flink.taskManager.resources}). */
    static final String CHART_TASK_MANAGER_MEMORY = "2048m";

    /**
     * RocksDB with the default managed memory and Flink's own RocksDB options (Snappy compression,
     * no bloom filters) in place of the job's {@code RocksDbStateDefaults}: the configuration
     * before the job set them, measured in the same run. Not one of the configurations the
     * throughput target is judged on.
     */
    static final String ROCKSDB_FLINK_OPTIONS = "rocksdb, Flink's own RocksDB options";

    /** The state configurations measured at a million keys. */
    static final List<String> MILLION_KEY_BACKENDS =
            List.of(
                    "hashmap",
                    "rocksdb",
                    ROCKSDB_FLINK_OPTIONS,
                    ROCKSDB_CHART_MEMORY,
                    ROCKSDB_LARGE_CACHE);

    /** The classifier with sequence.batch-steps=false. */
    static final String LSTM_ONE_KEY = "lstm, one key at a time";

    /**
     * The classifier with one and with two shadow versions (same shape, other weights) announced
     * before the job starts: every sequence that starts after they are accepted runs on them too.
     */
    static final String LSTM_ONE_SHADOW = "lstm + 1 shadow";

    static final String LSTM_TWO_SHADOWS = "lstm + 2 shadows";

    /** Time for a shadow announced at start to be accepted and loaded before events are sent. */
    private static final Duration SHADOW_SETTLE = Duration.ofSeconds(8);

    private static final Duration STATE_IDLENESS = Duration.ofSeconds(10);
    private static final Duration STALLED = Duration.ofSeconds(30);

    /** One measured throughput configuration; {@code model} names the job. */
    record Case(String model, String delivery, String backend, int keys, int waves, int length) {
        long events() {
            return (long) keys * waves * length;
        }

        /**
         * Full snapshots of a million keys take seconds: checkpoint as rarely as the job's default.
         */
        String checkpointInterval() {
            return keys >= 1_000_000 ? "10 s" : "1 s";
        }
    }

    /**
     * Settings of one latency run.
     *
     * @param name how the report names them
     * @param delivery at-least-once or exactly-once
     * @param job job settings over the suite's
     * @param flink Flink options
     * @param producer settings of the event producer
     * @param shareOfMaximum the rate as a share of the maximum measured (the target is at 0.5)
     */
    record LatencySetup(
            String name,
            String delivery,
            Map<String, String> job,
            Configuration flink,
            Map<String, Object> producer,
            double shareOfMaximum) {}

    private final EmbeddedKafka kafka;
    private final Path work;
    private final Map<String, TestModels.Written> models = new HashMap<>();
    private final Map<String, String> eventTopics = new HashMap<>();
    private int runs;

    private EndToEndSuite(EmbeddedKafka kafka, Path work) {
        this.kafka = kafka;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        boolean quick = options.containsKey("quick");
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        Path json = run(quick, out, options.get("only"));
        System.out.println("wrote " + json);
    }

    /** Runs every case and returns the JSON report written. */
    static Path run(boolean quick, Path out) throws Exception {
        return run(quick, out, null);
    }

    /**
     * As {@link #run(boolean, Path)}; {@code only} = {@code state} runs only the savepoint and
     * restore part, {@code latency} only latency (after the throughput cases it needs), {@code
     * million} only the throughput cases with a million keys, {@code batching} three alternating
     * rounds of the classifier with and without step batching, {@code shadow} the classifier with
     * no, one and two shadows in three rounds, the savepoint bytes a shadow adds per key and the
     * operators' cost of a shadow and of the live evaluation (JMH); the report is then {@code
     * e2e-<mode>-<only>.*}.
     */
    static Path run(boolean quick, Path out, String only) throws Exception {
        Files.createDirectories(out);
        String mode = (quick ? "quick" : "full") + (only == null ? "" : "-" + only);
        Path work = Files.createDirectories(out.resolve("work-e2e-" + mode));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", mode);
        report.put("startedAt", Instant.now().toString());
        report.put("machine", MachineInfo.describe());
        double loadBefore = MachineInfo.loadAverage();
        if (only == null) {
            // Before the broker starts, so that nothing else runs beside the JMH fork.
            report.put("operator", OperatorSuite.run(quick, work.resolve("jmh-operator.log")));
        }
        if ("shadow".equals(only)) {
            report.put(
                    "shadowCost", ShadowCostSuite.run(quick, work.resolve("jmh-shadow-cost.log")));
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EndToEndSuite suite = new EndToEndSuite(kafka, work);
            List<Map<String, Object>> rows = new ArrayList<>();
            List<Map<String, Object>> recompute = new ArrayList<>();
            List<Map<String, Object>> latency = new ArrayList<>();
            if (!"state".equals(only)) {
                suite.measureThroughputAndLatency(quick, only, rows, recompute, latency);
            }
            report.put("throughput", rows);
            report.put("ratios", ratios(rows));
            report.put("batchingRatios", batchingRatios(rows));
            report.put("shadowRatios", shadowRatios(rows));
            report.put("windowRecompute", recompute);
            report.put("recomputeRatios", recomputeRatios(rows, recompute));
            report.put("latency", latency);
            List<Map<String, Object>> state = new ArrayList<>();
            // A million keys on heap state; RocksDB applies them at about a fifth of the heap's
            // rate, so it restores 100,000 to keep the run short.
            if ("latency".equals(only) || "million".equals(only) || "batching".equals(only)) {
                // not asked for
            } else if ("shadow".equals(only)) {
                // The savepoint's growth per key when every key also runs one shadow.
                state.add(suite.stateAndRestore("hashmap", 100_000, 0));
                state.add(suite.stateAndRestore("hashmap", 100_000, 1));
            } else if (quick) {
                state.add(suite.stateAndRestore("hashmap", 2_000));
            } else {
                state.add(suite.stateAndRestore("hashmap", 1_000_000));
                state.add(suite.stateAndRestore("rocksdb", 100_000));
            }
            report.put("state", state);
            report.put("stateTargetBytesPerKey", Targets.STATE_BYTES_PER_KEY);
            if ("shadow".equals(only)) {
                report.put(
                        "shadowStateBytesPerKey",
                        (Double) state.get(1).get("bytesPerKey")
                                - (Double) state.get(0).get("bytesPerKey"));
            }
        }
        report.put("targets", Targets.endToEnd(report));
        report.put(
                "loadAverage1m", Map.of("before", loadBefore, "after", MachineInfo.loadAverage()));
        report.put("finishedAt", Instant.now().toString());
        Path json = out.resolve("e2e-" + mode + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), report);
        Files.writeString(out.resolve("e2e-" + mode + ".md"), EndToEndReport.markdown(report));
        return json;
    }

    private void measureThroughputAndLatency(
            boolean quick,
            String only,
            List<Map<String, Object>> rows,
            List<Map<String, Object>> recompute,
            List<Map<String, Object>> latency)
            throws Exception {
        // Warm-up, not reported: the first jobs in a JVM pay for class loading and JIT compilation
        // of the broker and the pipeline. One small job was not enough: in three alternating
        // rounds of the same two cases, throughput rose from 43,000 to 113,000 events/s over the
        // first ten jobs, which favoured whichever case ran second.
        throughput(new Case("pass-through", "at-least-once", "hashmap", 200, 10, 10));
        if (!quick) {
            for (String backend : List.of("hashmap", "rocksdb")) {
                for (String model : List.of("pass-through", "lstm")) {
                    throughput(new Case(model, "at-least-once", backend, 1_000, 10, LENGTH));
                }
            }
        }
        if ("batching".equals(only)) {
            // Steps batched against one key at a time: single end-to-end runs differ by tens of
            // percent on a shared machine.
            rounds(List.of("lstm", LSTM_ONE_KEY), 30, rows);
            return;
        }
        if ("shadow".equals(only)) {
            // A million events per run, so that the job's start is a small part of each.
            rounds(List.of("lstm", LSTM_ONE_SHADOW, LSTM_TWO_SHADOWS), 100, rows);
            return;
        }
        if ("million".equals(only)) {
            // Single million-key runs differ by tens of percent; three rounds give a median.
            millionKeyRounds(rows);
            return;
        }
        boolean latencyOnly = "latency".equals(only);
        for (Case c : cases(quick)) {
            // Latency runs at a share of the heap-state maximum at 1,000 keys (500 in quick mode).
            boolean wanted = !latencyOnly || (c.backend().equals("hashmap") && c.keys() <= 1_000);
            if (wanted) {
                rows.add(throughput(c));
            }
        }
        for (Case c : latencyOnly ? List.<Case>of() : recomputeCases(quick)) {
            recompute.add(throughput(c));
        }
        for (LatencySetup setup : latencySetups(quick)) {
            latency.add(latency(setup, rows, quick ? 500 : 1_000, quick));
        }
    }

    /**
     * {@code models} at 1,000 keys, {@code waves} sequences each, on heap and RocksDB state, in
     * three rounds, the order rotating each round so that no configuration always runs first or
     * last. Each row carries its round: ratios pair the runs of one round only ({@link
     * #pairedRatios}).
     */
    private void rounds(List<String> models, int waves, List<Map<String, Object>> rows)
            throws Exception {
        for (int round = 0; round < 3; round++) {
            for (String backend : List.of("hashmap", "rocksdb")) {
                for (int i = 0; i < models.size(); i++) {
                    String model = models.get((i + round) % models.size());
                    Map<String, Object> row =
                            throughput(
                                    new Case(
                                            model, "at-least-once", backend, 1_000, waves, LENGTH));
                    row.put("round", round + 1);
                    rows.add(row);
                }
            }
        }
    }

    /**
     * The million-key configurations of {@link #cases} in three rounds, each pair's order
     * alternating from one configuration and round to the next.
     */
    private void millionKeyRounds(List<Map<String, Object>> rows) throws Exception {
        int pair = 0;
        for (int round = 0; round < 3; round++) {
            for (String backend : MILLION_KEY_BACKENDS) {
                for (String model : pairOrder(pair++)) {
                    Map<String, Object> row =
                            throughput(new Case(model, "at-least-once", backend, 1_000_000, 1, 2));
                    row.put("round", round + 1);
                    rows.add(row);
                }
            }
        }
    }

    static List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        if (quick) {
            for (String model : List.of("pass-through", "lstm")) {
                cases.add(new Case(model, "at-least-once", "hashmap", 500, 10, LENGTH));
            }
            return cases;
        }
        // Each pair runs back to back, the pass-through first in one configuration and second in
        // the next, so that a drift over the run does not favour one side of every ratio.
        int pair = 0;
        for (String delivery : List.of("at-least-once", "exactly-once")) {
            for (String backend : List.of("hashmap", "rocksdb")) {
                for (String model : pairOrder(pair++)) {
                    cases.add(new Case(model, delivery, backend, 1_000, 30, LENGTH));
                }
            }
        }
        // The classifier stepping one key at a time (sequence.batch-steps=false) against the
        // default, which steps the keys of a watermark advance together.
        cases.add(new Case(LSTM_ONE_KEY, "at-least-once", "hashmap", 1_000, 30, LENGTH));
        for (String model : pairOrder(pair++)) {
            cases.add(new Case(model, "at-least-once", "hashmap", 100_000, 1, 4));
        }
        for (String backend : MILLION_KEY_BACKENDS) {
            for (String model : pairOrder(pair++)) {
                cases.add(new Case(model, "at-least-once", backend, 1_000_000, 1, 2));
            }
        }
        return cases;
    }

    private static List<String> pairOrder(int pair) {
        return pair % 2 == 0 ? List.of("pass-through", "lstm") : List.of("lstm", "pass-through");
    }

    /**
     * Window recompute, at-least-once on heap state. Keys send 200 events each (50 in quick mode)
     * so that most events re-run a full window of 50; DL4J gets fewer keys because it manages about
     * a hundred events per second.
     */
    static List<Case> recomputeCases(boolean quick) {
        return List.of(
                new Case(
                        "recompute-dl4j",
                        "at-least-once",
                        "hashmap",
                        quick ? 8 : 32,
                        quick ? 5 : 20,
                        LENGTH),
                new Case(
                        "recompute-serving",
                        "at-least-once",
                        "hashmap",
                        quick ? 100 : 500,
                        quick ? 5 : 20,
                        LENGTH));
    }

    /**
     * The job's defaults (event-time ordering, Flink's watermark interval and network buffer
     * timeout, Kafka's producer linger) against settings for low latency, and one row per
     * low-latency setting changed back, to show what each costs.
     */
    static List<LatencySetup> latencySetups(boolean quick) {
        Map<String, String> defaults =
                Map.of(
                        "events.max-out-of-orderness", jobDefault("events.max-out-of-orderness"),
                        "events.idleness", jobDefault("events.idleness"),
                        "checkpoint.interval", jobDefault("checkpoint.interval"));
        // At-least-once results are visible at once, so checkpoints keep the job's interval: each
        // checkpoint flushes the Kafka producers in the task thread, which stalls the results
        // behind it. Exactly-once results are visible only when a checkpoint commits them.
        Map<String, String> lowLatencyJob =
                Map.of(
                        "events.max-out-of-orderness",
                        "0 ms",
                        "events.idleness",
                        jobDefault("events.idleness"),
                        "checkpoint.interval",
                        jobDefault("checkpoint.interval"),
                        "kafka.linger.ms",
                        "0");
        Configuration lowLatencyFlink = new Configuration();
        lowLatencyFlink.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(2));
        lowLatencyFlink.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(1));
        Map<String, Object> lingerZero = Map.of("linger.ms", "0");
        LatencySetup lowLatency =
                new LatencySetup(
                        "low latency",
                        "at-least-once",
                        lowLatencyJob,
                        lowLatencyFlink,
                        lingerZero,
                        0.5);
        if (quick) {
            return List.of(lowLatency);
        }
        Map<String, String> noOutOfOrderness =
                with(defaults, "events.max-out-of-orderness", "0 ms");
        Configuration none = new Configuration();
        Map<String, String> oneKeyAtATime = with(lowLatencyJob, "sequence.batch-steps", "false");
        Map<String, String> checkpointsEverySecond =
                with(lowLatencyJob, "checkpoint.interval", "1 s");
        Configuration slowWatermarks = new Configuration(lowLatencyFlink);
        slowWatermarks.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(10));
        return List.of(
                new LatencySetup("job defaults", "at-least-once", defaults, none, Map.of(), 0.5),
                new LatencySetup(
                        "defaults, out-of-orderness 0",
                        "at-least-once",
                        noOutOfOrderness,
                        none,
                        Map.of(),
                        0.5),
                lowLatency,
                // What stepping the keys of a watermark advance together costs (or saves).
                new LatencySetup(
                        "low latency, one key at a time",
                        "at-least-once",
                        oneKeyAtATime,
                        lowLatencyFlink,
                        lingerZero,
                        0.5),
                new LatencySetup(
                        "low latency, watermarks every 10 ms",
                        "at-least-once",
                        lowLatencyJob,
                        slowWatermarks,
                        lingerZero,
                        0.5),
                new LatencySetup(
                        "low latency, checkpoints every 1 s",
                        "at-least-once",
                        checkpointsEverySecond,
                        lowLatencyFlink,
                        lingerZero,
                        0.5),
                // The same at a tenth of the maximum: what is left when the CPUs are not busy.
                new LatencySetup(
                        "low latency, max / 10",
                        "at-least-once",
                        lowLatencyJob,
                        lowLatencyFlink,
                        lingerZero,
                        0.1),
                new LatencySetup("job defaults", "exactly-once", defaults, none, Map.of(), 0.5),
                new LatencySetup(
                        "low latency, checkpoints every 1 s",
                        "exactly-once",
                        checkpointsEverySecond,
                        lowLatencyFlink,
                        lingerZero,
                        0.5));
    }

    private static Map<String, String> with(
            Map<String, String> settings, String key, String value) {
        Map<String, String> changed = new HashMap<>(settings);
        changed.put(key, value);
        return changed;
    }

    private static String jobDefault(String key) {
        return StreamJobConfig.OPTIONS.stream()
                .filter(option -> option.key().equals(key))
                .map(Settings::defaultText)
                .findFirst()
                .orElseThrow();
    }

    private Map<String, Object> throughput(Case c) throws Exception {
        String prefix = "e2e-" + (++runs);
        createTopics(prefix);
        String events = eventsTopic(c.keys(), c.waves(), c.length(), true);
        long submitted = System.currentTimeMillis();
        JobClient job =
                start(
                        prefix,
                        c.model(),
                        c.delivery(),
                        c.backend(),
                        Map.of(
                                "topic.events",
                                events,
                                "checkpoint.interval",
                                c.checkpointInterval()),
                        new Configuration());
        List<Long> appendTimes;
        try {
            int slowest = c.model().equals("recompute-dl4j") ? 20 : 2_000;
            appendTimes =
                    resultTimes(
                            prefix + "-results",
                            c.keys() * c.waves(),
                            Duration.ofSeconds(60 + c.events() / slowest));
        } finally {
            job.cancel().get();
        }
        appendTimes.sort(Long::compare);
        int ninetyPercent = (9 * c.keys() * c.waves()) / 10;
        double seconds = Math.max(1, appendTimes.get(ninetyPercent - 1) - submitted) / 1000.0;
        double eventsPerSecond = ninetyPercent * (double) c.length() / seconds;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", c.model());
        row.put("delivery", c.delivery());
        row.put("backend", c.backend());
        row.put("keys", c.keys());
        row.put("events", c.events());
        row.put("checkpointInterval", c.checkpointInterval());
        row.put("missingResults", c.keys() * c.waves() - appendTimes.size());
        row.put("deadLetters", endOffset(prefix + "-dead-letters"));
        if (c.backend().equals(ROCKSDB_CHART_MEMORY)) {
            row.put("managedMemoryMiB", chartManagedMemory().getMebiBytes());
        }
        if (shadows(c.model()) > 0) {
            // Sequences that started before the shadows were accepted ran without them.
            row.put("shadows", shadows(c.model()));
            row.put("sequences", c.keys() * c.waves());
            row.put("shadowResults", endOffset(prefix + "-shadow-results"));
        }
        row.put("eventsPerSecond", eventsPerSecond);
        row.put("secondsTo90PercentOfResults", seconds);
        if (c.model().startsWith("recompute")) {
            row.put("meanWindow", meanWindow(c.waves() * c.length()));
        }
        System.out.printf(
                Locale.ROOT,
                "e2e %-17s %-13s %-7s %,9d keys: %,10.0f events/s%n",
                c.model(),
                c.delivery(),
                c.backend(),
                c.keys(),
                eventsPerSecond);
        return row;
    }

    /** Mean events re-run per event when a key sends {@code events} events. */
    static double meanWindow(int events) {
        long sum = 0;
        for (int i = 1; i <= events; i++) {
            sum += Math.min(i, WindowRecomputeFunction.WINDOW);
        }
        return sum / (double) events;
    }

    /**
     * The classifier at a share of the maximum rate measured for its delivery guarantee (heap
     * state, the same key count) in this run, with {@code setup}'s settings.
     */
    private Map<String, Object> latency(
            LatencySetup setup, List<Map<String, Object>> rows, int keys, boolean quick)
            throws Exception {
        double maximum =
                rows.stream()
                        .filter(
                                r ->
                                        r.get("model").equals("lstm")
                                                && r.get("delivery").equals(setup.delivery())
                                                && r.get("backend").equals("hashmap")
                                                && r.get("keys").equals(keys))
                        .mapToDouble(r -> (Double) r.get("eventsPerSecond"))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no lstm throughput for " + setup.delivery()));
        String prefix = "e2e-" + (++runs);
        createTopics(prefix);
        JobClient job =
                start(prefix, "lstm", setup.delivery(), "hashmap", setup.job(), setup.flink());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("setup", setup.name());
        row.put("delivery", setup.delivery());
        row.put("keys", keys);
        row.put("maxEventsPerSecond", maximum);
        row.put("shareOfMaximum", setup.shareOfMaximum());
        row.put("jobSettings", new TreeMap<>(setup.job()));
        row.put("flinkSettings", new TreeMap<>(setup.flink().toMap()));
        row.put("producerSettings", setup.producer());
        try {
            Duration ordering =
                    TimeUtils.parseDuration(setup.job().get("events.max-out-of-orderness"));
            Duration checkpoint = TimeUtils.parseDuration(setup.job().get("checkpoint.interval"));
            Duration measured =
                    Duration.ofSeconds(
                            quick ? 4 : setup.delivery().equals("exactly-once") ? 20 : 15);
            row.putAll(
                    new LatencyProbe(kafka.bootstrapServers(), setup.producer())
                            .measure(
                                    new EventFeed(keys, LENGTH, true),
                                    prefix + "-events",
                                    prefix + "-results",
                                    maximum * setup.shareOfMaximum(),
                                    Duration.ofSeconds(quick ? 2 : 5),
                                    measured,
                                    ordering.plusSeconds(1),
                                    ordering.plus(checkpoint.multipliedBy(2)).plusSeconds(5)));
        } finally {
            job.cancel().get();
        }
        System.out.printf(
                Locale.ROOT,
                "e2e latency %-30s %-13s at %,8.0f events/s: append %s, visible %s%n",
                setup.name(),
                setup.delivery(),
                maximum * setup.shareOfMaximum(),
                row.get("appendMs"),
                row.get("visibleMs"));
        return row;
    }

    /**
     * Every key with an open LSTM sequence (one event, no end), then a canonical savepoint: its
     * size per key beyond the hidden state's floats (h and c, 4 bytes each); then the same job
     * restored from it, against the start without state, on the same local cluster.
     */
    private Map<String, Object> stateAndRestore(String backend, int keys) throws Exception {
        return stateAndRestore(backend, keys, 0);
    }

    /**
     * As {@link #stateAndRestore(String, int)}, with {@code shadows} shadow versions announced
     * before the job starts and the events sent once they had time to be accepted and loaded, so
     * that every key's sequence runs on them too.
     */
    private Map<String, Object> stateAndRestore(String backend, int keys, int shadows)
            throws Exception {
        String prefix = "e2e-state-" + (++runs);
        createTopics(prefix);
        if (shadows == 0) {
            sendOpenSequences(prefix, keys);
        } else {
            announceShadows(prefix, shadows);
        }
        // A long quiet period: under backpressure no event passes the watermark generator for
        // seconds, and with 2 s the watermark ran ahead of events still in flight, which were
        // then dead-lettered as late (seen with a million keys: 41% of them missing from state).
        Map<String, String> settings =
                settings(
                        prefix,
                        "lstm",
                        "at-least-once",
                        Map.of(
                                "checkpoint.interval",
                                keys >= 1_000_000 ? "10 s" : "1 s",
                                "events.idleness",
                                STATE_IDLENESS.toSeconds() + " s"));
        Configuration conf = flinkConfiguration(prefix, backend, new Configuration());
        Path savepoints = work.resolve(prefix + "-savepoints");
        Duration timeout = Duration.ofSeconds(120 + keys / 5_000);
        Map<String, Object> row = new LinkedHashMap<>();
        try (StateProbe cluster = new StateProbe(conf)) {
            StateProbe.Started fresh = cluster.start(jobGraph(settings, conf, null), timeout);
            if (shadows > 0) {
                Thread.sleep(SHADOW_SETTLE.toMillis());
                sendOpenSequences(prefix, keys);
            }
            // After the quiet period the watermark passes every event, so each key's event is
            // applied and no longer waits in the pending-events map.
            awaitCommittedOffsets(prefix, keys, timeout);
            Thread.sleep(STATE_IDLENESS.plusSeconds(4).toMillis());
            long savepointStart = System.nanoTime();
            String path = cluster.savepointAndCancel(fresh.id(), savepoints.toUri().toString());
            double savepointSeconds = (System.nanoTime() - savepointStart) / 1e9;
            Path directory = Path.of(java.net.URI.create(path));
            long bytes = directorySize(directory);
            StateProbe.Started restored = cluster.start(jobGraph(settings, conf, path), timeout);
            cluster.cancel(restored.id());
            deleteRecursively(directory);
            int hiddenBytes = 2 * LSTM_HIDDEN * Float.BYTES;
            long deadLetters = endOffset(prefix + "-dead-letters");
            if (deadLetters > 0) {
                System.out.printf(
                        "e2e state %s: %d events dead-lettered, bytes per key over the rest%n",
                        backend, deadLetters);
            }
            double perKey = bytes / (double) (keys - deadLetters);
            row.put("backend", backend);
            row.put("keys", keys);
            if (shadows > 0) {
                row.put("shadows", shadows);
            }
            row.put("deadLetters", deadLetters);
            row.put("savepointBytes", bytes);
            row.put("bytesPerKey", perKey);
            row.put("hiddenStateBytes", hiddenBytes);
            row.put("bytesPerKeyBeyondHiddenState", perKey - hiddenBytes);
            row.put("savepointSeconds", savepointSeconds);
            row.put("startWithoutState", fresh.toMap());
            row.put("startFromSavepoint", restored.toMap());
            System.out.printf(
                    Locale.ROOT,
                    "e2e state %-7s %,9d keys: %.1f bytes per key (%.1f beyond the hidden state);"
                            + " start %s, restore %s%n",
                    backend,
                    keys,
                    perKey,
                    perKey - hiddenBytes,
                    fresh.toMap(),
                    restored.toMap());
        }
        return row;
    }

    /** One event of each key, opening a sequence that does not end. */
    private void sendOpenSequences(String prefix, int keys) {
        try (KafkaProducer<byte[], byte[]> producer =
                EventFeed.producer(kafka.bootstrapServers(), Map.of())) {
            new EventFeed(keys, 1, false).produce(producer, prefix + "-events", 1);
        }
    }

    private JobGraph jobGraph(Map<String, String> settings, Configuration conf, String savepoint) {
        ClassifierJob job = new ClassifierJob(StreamJobConfig.fromMap(settings), new ModelLoader());
        Configuration jobConf = job.flinkConfiguration();
        jobConf.addAll(conf);
        if (savepoint != null) {
            jobConf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf);
        job.build(env);
        return env.getStreamGraph().getJobGraph();
    }

    private Map<String, String> settings(
            String prefix, String model, String delivery, Map<String, String> overrides)
            throws IOException {
        Map<String, String> settings =
                new HashMap<>(
                        Map.of(
                                "delivery.guarantee", delivery,
                                "checkpoint.interval", "1 s",
                                "events.max-out-of-orderness", "500 ms",
                                "events.idleness", "2 s",
                                "model.initial.uri", model(model).announcement().uri()));
        // Pre-produced events are 1 ms of event time apart, so a million keys span 17 minutes of
        // event time: a shorter gap would end sequences between a key's events.
        settings.put("sequence.gap", "12 h");
        settings.putAll(overrides);
        return StreamTestJob.settings(kafka.bootstrapServers(), prefix, settings);
    }

    private Configuration flinkConfiguration(String prefix, String backend, Configuration extra) {
        Configuration conf = new Configuration();
        boolean rocksdb = backend.startsWith("rocksdb");
        conf.set(StateBackendOptions.STATE_BACKEND, rocksdb ? "rocksdb" : backend);
        if (backend.equals(ROCKSDB_LARGE_CACHE)) {
            // A local environment gives its TaskManager 128 MB of managed memory, RocksDB's
            // block cache and write buffers for all slots: far less than a million LSTM states.
            conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1536m"));
        }
        if (backend.equals(ROCKSDB_CHART_MEMORY)) {
            conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, chartManagedMemory());
        }
        if (backend.equals(ROCKSDB_FLINK_OPTIONS)) {
            // Flink's defaults, set explicitly over the job's own.
            conf.set(
                    RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
                    List.of(CompressionType.SNAPPY_COMPRESSION));
            conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false);
        }
        // As production RocksDB set-ups do: full snapshots of a million keys every few seconds
        // would measure checkpoint I/O rather than the job.
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, rocksdb);
        // Checkpoints to files, as on a cluster: the JobManager's memory storage refuses state
        // above 5 MB, which 100,000 keys exceed.
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.resolve(prefix + "-checkpoints").toUri().toString());
        conf.addAll(extra);
        return conf;
    }

    private JobClient start(
            String prefix,
            String model,
            String delivery,
            String backend,
            Map<String, String> overrides,
            Configuration flink)
            throws Exception {
        Map<String, String> jobOverrides =
                model.equals(LSTM_ONE_KEY)
                        ? with(overrides, "sequence.batch-steps", "false")
                        : overrides;
        StreamJobConfig config =
                StreamJobConfig.fromMap(
                        settings(
                                prefix,
                                model.startsWith("recompute")
                                                || model.equals(LSTM_ONE_KEY)
                                                || shadows(model) > 0
                                        ? "lstm"
                                        : model,
                                delivery,
                                jobOverrides));
        announceShadows(prefix, shadows(model));
        Configuration conf = flinkConfiguration(prefix, backend, flink);
        if (model.startsWith("recompute")) {
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            return WindowRecomputeJob.start(
                    config,
                    model.equals("recompute-dl4j")
                            ? WindowRecomputeFunction.Contender.DL4J
                            : WindowRecomputeFunction.Contender.SERVING_STEP,
                    StreamExecutionEnvironment.getExecutionEnvironment(conf));
        }
        ClassifierJob job = new ClassifierJob(config, new ModelLoader());
        Configuration jobConf = job.flinkConfiguration();
        jobConf.addAll(conf);
        return job.start(
                StreamExecutionEnvironment.getExecutionEnvironment(jobConf),
                UnaryOperator.identity());
    }

    private TestModels.Written model(String name) throws IOException {
        boolean lstm = name.equals("lstm");
        return featureModel(
                name, 1, 7, lstm ? CellType.LSTM : CellType.ELMAN, lstm ? LSTM_HIDDEN : 1);
    }

    /** A feature model of the suite's model name, written once per run under {@code key}. */
    private TestModels.Written featureModel(
            String key, long version, long seed, CellType cell, int hidden) throws IOException {
        TestModels.Written written = models.get(key);
        if (written == null) {
            written =
                    TestModels.featureModel(
                            work.resolve("model-" + key + "-" + System.nanoTime()),
                            "bench",
                            version,
                            seed,
                            cell,
                            hidden,
                            normalizerData());
            models.put(key, written);
        }
        return written;
    }

    /**
     * The managed memory Flink derives for a TaskManager of the chart's default process size and
     * otherwise default memory settings.
     */
    static MemorySize chartManagedMemory() {
        Configuration taskManager = new Configuration();
        taskManager.set(
                TaskManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(CHART_TASK_MANAGER_MEMORY));
        return TaskExecutorProcessUtils.processSpecFromConfig(taskManager).getManagedMemorySize();
    }

    /** Shadow versions the configuration named {@code model} runs beside the serving one. */
    static int shadows(String model) {
        return switch (model) {
            case LSTM_ONE_SHADOW -> 1;
            case LSTM_TWO_SHADOWS -> 2;
            default -> 0;
        };
    }

    /**
     * Announces versions 2 to {@code count + 1} of the LSTM's model, each with its own weights, as
     * shadows on the job's model topic.
     */
    private void announceShadows(String prefix, int count) throws IOException {
        if (count == 0) {
            return;
        }
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int version = 2; version <= count + 1; version++) {
                RoleAnnouncement shadow =
                        new RoleAnnouncement(
                                shadowModel(version).announcement(), ModelRole.SHADOW, false);
                producer.send(
                        new ProducerRecord<>(
                                prefix + "-models",
                                shadow.kafkaKey(),
                                AnnouncementParser.toJson(shadow)));
            }
        }
    }

    /** Version {@code version} of the LSTM's model: same shape, weights of another seed. */
    private TestModels.Written shadowModel(int version) throws IOException {
        return featureModel("lstm-v" + version, version, 7 + version, CellType.LSTM, LSTM_HIDDEN);
    }

    /** A few random sequences for the model fixture's normalizer. */
    static Dataset normalizerData() {
        Random random = new Random(5);
        List<LabeledSequence> sequences = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            float[][] steps = new float[5][EventFeed.FEATURES];
            for (float[] step : steps) {
                for (int d = 0; d < EventFeed.FEATURES; d++) {
                    step[d] = (float) random.nextGaussian();
                }
            }
            sequences.add(LabeledSequence.ofFeatures("s" + i, steps, i % 2 == 0 ? "a" : "b"));
        }
        return new Dataset(
                "bench", sequences, List.of("a", "b"), InputKind.FEATURES, EventFeed.FEATURES);
    }

    private void createTopics(String prefix) throws Exception {
        kafka.createTopic(prefix + "-events", 2);
        kafka.createTopic(
                prefix + "-results", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        kafka.createTopic(prefix + "-dead-letters", 1);
        kafka.createTopic(prefix + "-models", 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(prefix + "-shadow-results", 2);
    }

    /** The topic holding this shape of events, produced on first use and shared afterwards. */
    private String eventsTopic(int keys, int waves, int length, boolean end) throws Exception {
        String topic = "e2e-events-" + keys + "x" + waves + "x" + length;
        if (!eventTopics.containsKey(topic)) {
            kafka.createTopic(topic, 2);
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer =
                    EventFeed.producer(kafka.bootstrapServers(), Map.of())) {
                new EventFeed(keys, length, end).produce(producer, topic, waves);
            }
            System.out.printf(
                    Locale.ROOT,
                    "e2e produced %s in %.1f s%n",
                    topic,
                    (System.nanoTime() - start) / 1e9);
            eventTopics.put(topic, topic);
        }
        return topic;
    }

    /** Broker append times of the first {@code expected} committed results. */
    private List<Long> resultTimes(String topic, int expected, Duration timeout) {
        List<Long> times = new ArrayList<>(expected);
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.committedReader(kafka.bootstrapServers())) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastResult = System.nanoTime();
            while (times.size() < expected) {
                // Throughput needs the first 90%: when the rest stops coming (e.g. events
                // dead-lettered as late), report what arrived instead of waiting for the timeout.
                if (times.size() >= (9L * expected) / 10
                        && System.nanoTime() - lastResult > STALLED.toNanos()) {
                    System.out.printf(
                            "e2e %s: %d of %d results, none for %s: measuring on these%n",
                            topic, times.size(), expected, STALLED);
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            topic
                                    + ": "
                                    + times.size()
                                    + " of "
                                    + expected
                                    + " results in "
                                    + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    times.add(record.timestamp());
                    lastResult = System.nanoTime();
                }
            }
        }
        return times;
    }

    /** Waits until the job's consumer group has committed offsets covering every event. */
    private void awaitCommittedOffsets(String prefix, long events, Duration timeout)
            throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long committed =
                        admin
                                .listConsumerGroupOffsets(prefix)
                                .partitionsToOffsetAndMetadata()
                                .get()
                                .entrySet()
                                .stream()
                                .filter(e -> e.getKey().topic().equals(prefix + "-events"))
                                .mapToLong(e -> e.getValue() == null ? 0 : e.getValue().offset())
                                .sum();
                if (committed >= events) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            prefix
                                    + ": "
                                    + committed
                                    + " of "
                                    + events
                                    + " events read in "
                                    + timeout);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Records in a one-partition topic written without transactions. */
    /** Records on {@code topic}: the sum of its partitions' end offsets. */
    private long endOffset(String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (var partition :
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()) {
                latest.put(
                        new TopicPartition(topic, partition.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            long records = 0;
            for (var offset : admin.listOffsets(latest).all().get().values()) {
                records += offset.offset();
            }
            return records;
        }
    }

    private static long directorySize(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            })
                    .sum();
        }
    }

    /** Classifier over pass-through throughput for each configuration measured with both. */
    static List<Map<String, Object>> ratios(List<Map<String, Object>> rows) {
        return pairedRatios(rows, "lstm", "pass-through", "classifierOverPassThrough");
    }

    /** The classifier over the classifier stepping one key at a time, where both ran. */
    static List<Map<String, Object>> batchingRatios(List<Map<String, Object>> rows) {
        return pairedRatios(rows, "lstm", LSTM_ONE_KEY, "batchedOverOneKey");
    }

    /** The classifier with one and with two shadows over the classifier alone, per round. */
    static List<Map<String, Object>> shadowRatios(List<Map<String, Object>> rows) {
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (String model : List.of(LSTM_ONE_SHADOW, LSTM_TWO_SHADOWS)) {
            for (Map<String, Object> ratio :
                    pairedRatios(rows, model, "lstm", "withShadowsOverNone")) {
                ratio.put("shadows", shadows(model));
                ratios.add(ratio);
            }
        }
        return ratios;
    }

    /**
     * {@code model}'s throughput over {@code baseline}'s, named {@code ratioName}, for each
     * delivery, backend and key count measured with both, within one round where the runs were
     * repeated in rounds: a ratio across rounds would mix the machine's load of two moments.
     */
    private static List<Map<String, Object>> pairedRatios(
            List<Map<String, Object>> rows, String model, String baseline, String ratioName) {
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (!row.get("model").equals(model)) {
                continue;
            }
            for (Map<String, Object> base : rows) {
                if (base.get("model").equals(baseline)
                        && base.get("delivery").equals(row.get("delivery"))
                        && base.get("backend").equals(row.get("backend"))
                        && base.get("keys").equals(row.get("keys"))
                        && Objects.equals(base.get("round"), row.get("round"))) {
                    Map<String, Object> ratio = new LinkedHashMap<>();
                    if (row.get("round") != null) {
                        ratio.put("round", row.get("round"));
                    }
                    ratio.put("delivery", row.get("delivery"));
                    ratio.put("backend", row.get("backend"));
                    ratio.put("keys", row.get("keys"));
                    ratio.put(ratioName, throughputRatio(row, base));
                    ratios.add(ratio);
                }
            }
        }
        return ratios;
    }

    /**
     * Classifier over window-recompute throughput, each against the classifier at at-least-once,
     * heap.
     */
    static List<Map<String, Object>> recomputeRatios(
            List<Map<String, Object>> rows, List<Map<String, Object>> recompute) {
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Map<String, Object> lstm : rows) {
            if (!(lstm.get("model").equals("lstm")
                    && lstm.get("delivery").equals("at-least-once")
                    && lstm.get("backend").equals("hashmap"))) {
                continue;
            }
            for (Map<String, Object> baseline : recompute) {
                Map<String, Object> ratio = new LinkedHashMap<>();
                ratio.put("baseline", baseline.get("model"));
                ratio.put("classifierKeys", lstm.get("keys"));
                ratio.put("classifierOverRecompute", throughputRatio(lstm, baseline));
                ratios.add(ratio);
            }
            break;
        }
        return ratios;
    }

    private static double throughputRatio(Map<String, Object> row, Map<String, Object> baseline) {
        return (double) row.get("eventsPerSecond") / (double) baseline.get("eventsPerSecond");
    }

    /** Deletes a directory and everything under it. */
    static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
