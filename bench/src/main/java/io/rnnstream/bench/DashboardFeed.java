package io.rnnstream.bench;

import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Live traffic for a look at the monitoring dashboard: the classifier job on a local Flink runtime
 * with Flink's Prometheus reporter, a broker, and model {@code vowels} trained on JapaneseVowels in
 * three versions (version 1 serving, trained for 2 epochs; versions 2 and 3 shadows, trained for 15
 * epochs from two seeds). For the given minutes it sends the test set's sequences over 200 keys, a
 * few per second, each with its true label on the labelled topic, and now and then a malformed
 * record; the live evaluation promotes a shadow once the evidence is there. A Prometheus server
 * scraping the reporter's ports then has every series the dashboard queries ({@code
 * docs/monitoring/preview/}).
 *
 * <p>Arguments: {@code [--minutes N] [--metrics-port P] [--data DIR]}; the reporter takes the first
 * free port of {@code P..P+9}.
 */
public final class DashboardFeed {

    private static final String MODEL = "vowels";
    private static final String PREFIX = "dashboard";
    private static final int KEYS = 50;
    private static final long TICK_MILLIS = 200;

    private DashboardFeed() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        int minutes = Integer.parseInt(options.getOrDefault("minutes", "12"));
        int port = Integer.parseInt(options.getOrDefault("metrics-port", "9249"));
        Path data = BenchSuite.dataDirectory(options);
        Dataset train = TsReader.read(data.resolve("japanesevowels/JapaneseVowels_TRAIN.ts"));
        Dataset test = TsReader.read(data.resolve("japanesevowels/JapaneseVowels_TEST.ts"));
        Path store = Files.createTempDirectory("rnnstream-dashboard");
        List<ModelAnnouncement> versions =
                List.of(
                        train(train, store, 1, 2, 42),
                        train(train, store, 2, 15, 42),
                        train(train, store, 3, 15, 7));

        KafkaBroker kafka = new KafkaBroker();
        kafka.start();
        JobClient job = null;
        try {
            StreamTestJob.createTopics(kafka, PREFIX);
            kafka.createTopic(PREFIX + "-labelled", 2);
            kafka.createTopic(PREFIX + "-evaluations", 1);
            for (int v = 0; v < versions.size(); v++) {
                ModelRole role = v == 0 ? ModelRole.SERVING : ModelRole.SHADOW;
                TestModels.announce(
                        kafka,
                        PREFIX + "-models",
                        new RoleAnnouncement(versions.get(v), role, false));
            }
            job = start(kafka, port);
            System.out.printf(
                    "dashboard feed: job running, Prometheus reporter on ports %d-%d; sending for"
                            + " %d minutes%n",
                    port, port + 9, minutes);
            send(kafka, test.sequences(), Duration.ofMinutes(minutes));
            System.out.println("dashboard feed: done");
        } finally {
            if (job != null) {
                job.cancel().get();
            }
            kafka.stop();
        }
    }

    private static ModelAnnouncement train(
            Dataset data, Path store, long version, int epochs, long seed) throws Exception {
        TrainingOptions options =
                TrainingOptions.defaults().toBuilder()
                        .maxEpochs(epochs)
                        .patience(epochs)
                        .hiddenSize(16)
                        .seed(seed)
                        .build();
        TrainedModel model = SequenceTrainer.train(data, options, null);
        Manifest manifest =
                ArtifactFactory.manifest(
                        model,
                        MODEL,
                        version,
                        new ArtifactFactory.Provenance(
                                "japanesevowels/JapaneseVowels_TRAIN.ts",
                                "ts",
                                null,
                                "bench",
                                null),
                        Map.of());
        Path directory = store.resolve(MODEL + "-" + version);
        String sha = ArtifactFactory.write(directory, model, manifest);
        return new ModelAnnouncement(MODEL, version, directory.toUri().toString(), sha);
    }

    private static JobClient start(KafkaBroker kafka, int port) throws Exception {
        Map<String, String> settings =
                new HashMap<>(
                        StreamTestJob.settings(
                                kafka,
                                PREFIX,
                                Map.of(
                                        "model.default",
                                        MODEL,
                                        "checkpoint.interval",
                                        "2 s",
                                        "topic.labelled",
                                        PREFIX + "-labelled",
                                        "topic.evaluations",
                                        PREFIX + "-evaluations",
                                        "evaluation.every",
                                        "50",
                                        "promotion.min-labelled",
                                        "3000")));
        ClassifierJob job = new ClassifierJob(StreamJobConfig.fromMap(settings), new ModelLoader());
        Configuration configuration = job.flinkConfiguration();
        configuration.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        configuration.setString("metrics.reporter.prom.port", port + "-" + (port + 9));
        return job.start(
                StreamExecutionEnvironment.getExecutionEnvironment(configuration),
                UnaryOperator.identity());
    }

    /**
     * Sends interleaved sequences for {@code duration}: every {@value #TICK_MILLIS} ms one event of
     * each of {@value #KEYS} keys, each key running test sequences one after the other; a
     * sequence's last event goes with its true label to the labelled topic, and every 200th
     * sequence with a record that is not JSON, for the dead letters.
     */
    private static void send(KafkaBroker kafka, List<LabeledSequence> sequences, Duration duration)
            throws InterruptedException {
        Random random = new Random(1);
        LabeledSequence[] running = new LabeledSequence[KEYS];
        String[] ids = new String[KEYS];
        int[] next = new int[KEYS];
        long started = 0;
        long clock = 0;
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                String key = "speaker-" + k;
                if (running[k] == null) {
                    running[k] = sequences.get(random.nextInt(sequences.size()));
                    ids[k] = "s" + started++;
                    next[k] = 0;
                    if (started % 200 == 0) {
                        records.add(record(PREFIX + "-events", key, "{not json"));
                    }
                }
                LabeledSequence s = running[k];
                int t = next[k]++;
                clock = Math.max(clock + 1, System.currentTimeMillis());
                boolean last = t == s.length() - 1;
                String json =
                        "{\"key\":\""
                                + key
                                + "\",\"model\":\""
                                + MODEL
                                + "\",\"seq\":\""
                                + ids[k]
                                + "\",\"ts\":"
                                + clock
                                + ",\"features\":"
                                + Arrays.toString(s.features()[t])
                                + (last ? ",\"end\":true" : "");
                records.add(record(PREFIX + "-events", key, json + "}"));
                if (last) {
                    String labelled = json + ",\"label\":\"" + s.label() + "\"}";
                    records.add(record(PREFIX + "-labelled", key, labelled));
                    running[k] = null;
                }
            }
            kafka.produce(records);
            Thread.sleep(TICK_MILLIS);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, KafkaBroker.utf8(key), KafkaBroker.utf8(value));
    }
}
