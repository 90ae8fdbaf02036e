package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.demo.EmbeddedKafka;
import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.config.StreamJobConfig;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.testing.StreamTestJob;
import io.rnnstream.stream.testing.TestModels;
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
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * End to end on a real broker and Flink (issue 7, items 2 and 3): events per second through Kafka →
 * streaming job → Kafka for the classifier with a 64-unit LSTM against a pass-through baseline, in
 * at-least-once and exactly-once mode, on heap and RocksDB state, for several key counts; and the
 * bytes per key of a savepoint.
 *
 * <p>The pass-through baseline is the same job (source, parsing, event-time ordering, keyed state
 * read and written per event, sink) serving a one-unit Elman model: about 1/1,000 of the LSTM's
 * arithmetic, so the difference is the RNN's cost. Events are produced before the job starts and
 * read at full speed. Throughput is the events of the first 90% of the sequences divided by the
 * time from submitting the job to the broker's append time of the result that completes them: it
 * includes the job's start (about a second, the same for both jobs) and leaves out the quiet period
 * that flushes the last sequences. In exactly-once mode results are appended in bursts at
 * checkpoints (every second), so runs are sized to take tens of seconds.
 *
 * <p>Arguments: {@code [--quick] [--out DIR]}; writes {@code e2e-<mode>.json} and {@code .md}.
 */
public final class EndToEndSuite {

    private static final int FEATURES = 16;
    private static final int LSTM_HIDDEN = 64;

    /** One measured configuration. */
    record Case(String model, String delivery, String backend, int keys, int waves, int length) {
        long events() {
            return (long) keys * waves * length;
        }
    }

    private final EmbeddedKafka kafka;
    private final Path work;
    private final Map<String, TestModels.Written> models = new HashMap<>();
    private int runs;

    private EndToEndSuite(EmbeddedKafka kafka, Path work) {
        this.kafka = kafka;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        boolean quick = options.containsKey("quick");
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        Path json = run(quick, out);
        System.out.println("wrote " + json);
    }

    /** Runs every case and returns the JSON report written. */
    static Path run(boolean quick, Path out) throws Exception {
        Files.createDirectories(out);
        String mode = quick ? "quick" : "full";
        Path work = Files.createDirectories(out.resolve("work-e2e-" + mode));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", mode);
        report.put("startedAt", Instant.now().toString());
        report.put("machine", MachineInfo.describe());
        double loadBefore = MachineInfo.loadAverage();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            EndToEndSuite suite = new EndToEndSuite(kafka, work);
            // Warm-up, not reported: the first job in a JVM pays for class loading and JIT
            // compilation of the whole pipeline, which would bias whichever case runs first.
            suite.throughput(new Case("pass-through", "at-least-once", "hashmap", 200, 10, 10));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Case c : cases(quick)) {
                rows.add(suite.throughput(c));
            }
            report.put("throughput", rows);
            report.put("ratios", ratios(rows));
            List<Map<String, Object>> state = new ArrayList<>();
            for (String backend : List.of("hashmap", "rocksdb")) {
                state.add(suite.stateBytesPerKey(backend, quick ? 2_000 : 100_000));
            }
            report.put("state", state);
        }
        report.put(
                "loadAverage1m", Map.of("before", loadBefore, "after", MachineInfo.loadAverage()));
        report.put("finishedAt", Instant.now().toString());
        Path json = out.resolve("e2e-" + mode + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), report);
        Files.writeString(out.resolve("e2e-" + mode + ".md"), markdown(report));
        return json;
    }

    static List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        if (quick) {
            for (String model : List.of("pass-through", "lstm")) {
                cases.add(new Case(model, "at-least-once", "hashmap", 500, 10, 10));
            }
            return cases;
        }
        for (String delivery : List.of("at-least-once", "exactly-once")) {
            for (String backend : List.of("hashmap", "rocksdb")) {
                for (String model : List.of("pass-through", "lstm")) {
                    cases.add(new Case(model, delivery, backend, 1_000, 30, 10));
                }
            }
        }
        for (String model : List.of("pass-through", "lstm")) {
            cases.add(new Case(model, "at-least-once", "hashmap", 100_000, 1, 4));
        }
        return cases;
    }

    private Map<String, Object> throughput(Case c) throws Exception {
        String prefix = "e2e-" + (++runs);
        createTopics(prefix);
        long produceStart = System.nanoTime();
        produce(prefix + "-events", c.keys(), c.waves(), c.length(), true);
        double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        long submitted = System.currentTimeMillis();
        JobClient job = start(prefix, c.model(), c.delivery(), c.backend());
        List<Long> appendTimes;
        try {
            appendTimes =
                    resultTimes(
                            prefix + "-results",
                            c.keys() * c.waves(),
                            Duration.ofSeconds(60 + c.events() / 2_000));
        } finally {
            job.cancel().get();
        }
        appendTimes.sort(Long::compare);
        int ninetyPercent = (9 * appendTimes.size()) / 10;
        double seconds = Math.max(1, appendTimes.get(ninetyPercent - 1) - submitted) / 1000.0;
        double eventsPerSecond = ninetyPercent * (double) c.length() / seconds;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", c.model());
        row.put("delivery", c.delivery());
        row.put("backend", c.backend());
        row.put("keys", c.keys());
        row.put("events", c.events());
        row.put("eventsPerSecond", eventsPerSecond);
        row.put("secondsTo90PercentOfResults", seconds);
        row.put("produceSeconds", produceSeconds);
        System.out.printf(
                Locale.ROOT,
                "e2e %-12s %-13s %-7s %,7d keys: %,10.0f events/s%n",
                c.model(),
                c.delivery(),
                c.backend(),
                c.keys(),
                eventsPerSecond);
        return row;
    }

    /**
     * Every key with an open LSTM sequence (no end yet), then a canonical savepoint: its size per
     * key, beyond the hidden state's floats (h and c, 4 bytes each).
     */
    private Map<String, Object> stateBytesPerKey(String backend, int keys) throws Exception {
        String prefix = "e2e-state-" + (++runs);
        createTopics(prefix);
        produce(prefix + "-events", keys, 1, 3, false);
        JobClient job = start(prefix, "lstm", "at-least-once", backend);
        Path savepoints = work.resolve(prefix + "-savepoints");
        long bytes;
        try {
            // Idleness is 2 s: after a quiet period the watermark passes every event, so each key's
            // events are applied and no longer wait in the pending-events map.
            awaitCommittedOffsets(prefix, keys * 3L, Duration.ofSeconds(120));
            Thread.sleep(6_000);
            String path =
                    job.triggerSavepoint(
                                    savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                            .get();
            bytes = directorySize(Path.of(java.net.URI.create(path)));
        } finally {
            job.cancel().get();
        }
        int hiddenBytes = 2 * LSTM_HIDDEN * Float.BYTES;
        double perKey = bytes / (double) keys;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backend", backend);
        row.put("keys", keys);
        row.put("savepointBytes", bytes);
        row.put("bytesPerKey", perKey);
        row.put("hiddenStateBytes", hiddenBytes);
        row.put("bytesPerKeyBeyondHiddenState", perKey - hiddenBytes);
        System.out.printf(
                Locale.ROOT,
                "e2e state %-7s %,7d keys: %.1f bytes per key (%.1f beyond the hidden state)%n",
                backend,
                keys,
                perKey,
                perKey - hiddenBytes);
        return row;
    }

    private JobClient start(String prefix, String model, String delivery, String backend)
            throws Exception {
        Map<String, String> settings =
                StreamTestJob.settings(
                        kafka.bootstrapServers(),
                        prefix,
                        Map.of(
                                "delivery.guarantee", delivery,
                                "checkpoint.interval", "1 s",
                                "events.max-out-of-orderness", "500 ms",
                                "events.idleness", "2 s",
                                "model.initial.uri", model(model).announcement().uri()));
        ClassifierJob job = new ClassifierJob(StreamJobConfig.fromMap(settings), new ModelLoader());
        Configuration conf = job.flinkConfiguration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        // Checkpoints to files, as on a cluster: the JobManager's memory storage refuses state
        // above 5 MB, which 100,000 keys exceed.
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                work.resolve(prefix + "-checkpoints").toUri().toString());
        return job.start(
                StreamExecutionEnvironment.getExecutionEnvironment(conf), UnaryOperator.identity());
    }

    private TestModels.Written model(String name) throws IOException {
        TestModels.Written written = models.get(name);
        if (written == null) {
            boolean lstm = name.equals("lstm");
            written =
                    TestModels.featureModel(
                            work.resolve("model-" + name + "-" + System.nanoTime()),
                            "bench",
                            1,
                            7,
                            lstm ? CellType.LSTM : CellType.ELMAN,
                            lstm ? LSTM_HIDDEN : 1,
                            normalizerData());
            models.put(name, written);
        }
        return written;
    }

    /** A few random sequences for the model fixture's normalizer. */
    private static Dataset normalizerData() {
        Random random = new Random(5);
        List<LabeledSequence> sequences = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            float[][] steps = new float[5][FEATURES];
            for (float[] step : steps) {
                for (int d = 0; d < FEATURES; d++) {
                    step[d] = (float) random.nextGaussian();
                }
            }
            sequences.add(LabeledSequence.ofFeatures("s" + i, steps, i % 2 == 0 ? "a" : "b"));
        }
        return new Dataset("bench", sequences, List.of("a", "b"), InputKind.FEATURES, FEATURES);
    }

    private void createTopics(String prefix) throws Exception {
        kafka.createTopic(prefix + "-events", 2);
        kafka.createTopic(
                prefix + "-results", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        kafka.createTopic(prefix + "-dead-letters", 1);
        kafka.createTopic(prefix + "-models", 1, Map.of("cleanup.policy", "compact"));
    }

    /**
     * {@code waves} rounds; in each, every key sends one sequence of {@code length} events,
     * interleaved across keys, the last with {@code end} when {@code end} is set.
     */
    private void produce(String topic, int keys, int waves, int length, boolean end)
            throws Exception {
        Random random = new Random(11);
        String[] vectors = new String[64];
        for (int v = 0; v < vectors.length; v++) {
            StringBuilder vector = new StringBuilder("[");
            for (int d = 0; d < FEATURES; d++) {
                vector.append(d == 0 ? "" : ",")
                        .append(String.format(Locale.ROOT, "%.3f", random.nextGaussian()));
            }
            vectors[v] = vector.append(']').toString();
        }
        long ts = 1_700_000_000_000L;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int w = 0; w < waves; w++) {
                for (int t = 0; t < length; t++) {
                    for (int k = 0; k < keys; k++) {
                        String key = "k" + k;
                        String value =
                                "{\"key\":\""
                                        + key
                                        + "\",\"ts\":"
                                        + (ts++)
                                        + ",\"seq\":\"w"
                                        + w
                                        + "\",\"features\":"
                                        + vectors[(k + t) % vectors.length]
                                        + (end && t == length - 1 ? ",\"end\":true}" : "}");
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                        value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    }
                }
            }
            producer.flush();
        }
    }

    /** Broker append times of the first {@code expected} committed results. */
    private List<Long> resultTimes(String topic, int expected, Duration timeout) {
        List<Long> times = new ArrayList<>(expected);
        try (KafkaConsumer<byte[], byte[]> consumer =
                EmbeddedKafka.committedReader(kafka.bootstrapServers())) {
            List<TopicPartition> partitions =
                    List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (times.size() < expected) {
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
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (Map<String, Object> lstm : rows) {
            if (!lstm.get("model").equals("lstm")) {
                continue;
            }
            for (Map<String, Object> base : rows) {
                if (base.get("model").equals("pass-through")
                        && base.get("delivery").equals(lstm.get("delivery"))
                        && base.get("backend").equals(lstm.get("backend"))
                        && base.get("keys").equals(lstm.get("keys"))) {
                    Map<String, Object> ratio = new LinkedHashMap<>();
                    ratio.put("delivery", lstm.get("delivery"));
                    ratio.put("backend", lstm.get("backend"));
                    ratio.put("keys", lstm.get("keys"));
                    ratio.put(
                            "classifierOverPassThrough",
                            (double) lstm.get("eventsPerSecond")
                                    / (double) base.get("eventsPerSecond"));
                    ratios.add(ratio);
                }
            }
        }
        return ratios;
    }

    @SuppressWarnings("unchecked")
    private static String markdown(Map<String, Object> report) {
        StringBuilder md =
                new StringBuilder("# rnnstream end to end (" + report.get("mode") + ")\n\n");
        md.append("Machine: ").append(report.get("machine")).append("\n\n");
        md.append("Load average (1 min): ").append(report.get("loadAverage1m")).append("\n\n");
        md.append(
                "| model | delivery | state | keys | events | events/s |\n|---|---|---|---|---|---|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) report.get("throughput")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %,d | %,d | %,.0f |%n",
                            row.get("model"),
                            row.get("delivery"),
                            row.get("backend"),
                            (Integer) row.get("keys"),
                            (Long) row.get("events"),
                            (Double) row.get("eventsPerSecond")));
        }
        md.append(
                "\n| delivery | state | keys | classifier / pass-through | target >= 0.6 |\n|---|---|---|---|---|\n");
        for (Map<String, Object> ratio : (List<Map<String, Object>>) report.get("ratios")) {
            double value = (Double) ratio.get("classifierOverPassThrough");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %.2f | %s |%n",
                            ratio.get("delivery"),
                            ratio.get("backend"),
                            (Integer) ratio.get("keys"),
                            value,
                            value >= 0.6 ? "met" : "not met"));
        }
        md.append(
                "\n| state | keys | savepoint bytes | bytes/key | beyond hidden state | target <= 64 |\n|---|---|---|---|---|---|\n");
        for (Map<String, Object> row : (List<Map<String, Object>>) report.get("state")) {
            double beyond = (Double) row.get("bytesPerKeyBeyondHiddenState");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,d | %.1f | %.1f | %s |%n",
                            row.get("backend"),
                            (Integer) row.get("keys"),
                            (Long) row.get("savepointBytes"),
                            (Double) row.get("bytesPerKey"),
                            beyond,
                            beyond <= 64 ? "met" : "not met"));
        }
        md.append(
                "\nPass-through = the same job serving a one-unit Elman model (about 1/1,000 of the"
                        + " LSTM's arithmetic). Throughput = events of the first 90% of the sequences"
                        + " / time from job submission to the append of the result completing them;"
                        + " events produced before the"
                        + " job starts. Not measured: 1 million keys, window recompute end to end,"
                        + " latency percentiles at half the maximum rate.\n");
        return md.toString();
    }
}
