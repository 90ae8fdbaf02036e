package io.rnnstream.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.data.VaderReader;
import io.rnnstream.retrain.RetrainConfig;
import io.rnnstream.retrain.RetrainJob;
import io.rnnstream.retrain.RetrainReport;
import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo end to end, in one JVM: a real Kafka broker, the streaming classifier on a local Flink
 * runtime serving two models (BasicMotions frames per device, VADER movie snippets word by word per
 * conversation), held-out sequences of many keys replayed interleaved, a few bad records, one
 * retraining round that the stream picks up live, and a summary that compares every streamed
 * classification with the offline classification by the same model version. Beside them the job
 * serves a small character language model, trained first, to a few keys that send lines of code;
 * their predictions are compared with the offline model's too.
 */
public final class DemoRunner {

    static final String MOTION = "motion";
    static final String SENTIMENT = "sentiment";
    private static final String EVENTS = "demo-events";
    private static final String RESULTS = "demo-classifications";
    private static final String DEAD_LETTERS = "demo-dead-letters";
    private static final String MODELS = "demo-models";
    private static final String LABELLED = "demo-labelled";
    private static final String PREDICTIONS = "demo-predictions";

    /** Next symbols listed per language-model prediction. */
    private static final int TOP_K = 5;

    /**
     * Continuations are sampled from the model's own distribution: a small code model's most likely
     * symbol is so often a space that greedy or cooler sampling writes runs of blanks.
     */
    private static final double CONTINUATION_TEMPERATURE = 1.0;

    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DemoPlan plan;
    private final DemoListener listener;
    private final DemoModels models;
    private final Map<String, DemoEvents.Planned> plannedById = new HashMap<>();
    private final Map<String, Integer> injected = new LinkedHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final List<SummaryBuilder.Phase> phases = new ArrayList<>();
    private long expectedResults;
    private int probes;

    public DemoRunner(DemoPlan plan, DemoListener listener) {
        this.plan = plan;
        this.listener = listener;
        this.models = new DemoModels(plan.out().resolve("models"));
    }

    /** Runs the demo and returns its summary; writes models, summary and report under out. */
    public DemoSummary run() throws Exception {
        long start = System.currentTimeMillis();
        Files.createDirectories(plan.out());
        Path data = plan.dataDirectory();
        Dataset motionTrain = TsReader.read(data.resolve("basicmotions/BasicMotions_TRAIN.ts"));
        Dataset motionTest = TsReader.read(data.resolve("basicmotions/BasicMotions_TEST.ts"));
        Path vaderFile = data.resolve("vader-sentiment/movieReviewSnippets_GroundTruth.txt");
        Splits.Split vader = Splits.stratified(VaderReader.read(vaderFile), 0.2, 42);

        List<DemoEvents.Planned> motion =
                assign(
                        MOTION,
                        "device-",
                        plan.devices(),
                        shuffled(motionTest.sequences(), plan.motionSequences()));
        List<DemoEvents.Planned> sentiment =
                assign(
                        SENTIMENT,
                        "chat-",
                        plan.conversations(),
                        shuffled(vader.holdout().sequences(), plan.sentimentSequences()));
        Dataset sentimentTrain =
                vader.train()
                        .withSequences(
                                "movie-snippets-train",
                                shuffled(vader.train().sequences(), plan.sentimentTrain()));

        DemoPlan.LanguageModelPlan lmPlan = plan.languageModel();
        listener.stage(
                String.format(
                        Locale.ROOT,
                        "training %s, a character language model, on %,d characters of this"
                                + " repository's Java sources",
                        DemoLanguageModel.NAME,
                        lmPlan.trainCharacters()));
        DemoLanguageModel languageModel = DemoLanguageModel.train(lmPlan, data, models);
        List<DemoLanguageModel.PlannedEvent> textEvents = languageModel.events();

        listener.stage(
                "training motion v1 on "
                        + plan.motionV1PerClass()
                        + " BasicMotions sequences per class");
        Dataset motionV1Data = DemoModels.perClass(motionTrain, plan.motionV1PerClass());
        // The retraining round learns from the rest of the training set; its quality gate
        // compares both versions on the test set, which neither has seen.
        Dataset feedback =
                motionTrain.withSequences(
                        "BasicMotions-feedback",
                        motionTrain.sequences().stream()
                                .filter(q -> !motionV1Data.sequences().contains(q))
                                .toList());
        ModelAnnouncement motionV1 =
                models.trainFirstVersion(
                        MOTION, motionV1Data, "BasicMotions_TRAIN.ts", "ts", plan.motionOptions());
        listener.stage(
                "training sentiment v1 on " + sentimentTrain.size() + " VADER movie snippets");
        ModelAnnouncement sentimentV1 =
                models.trainFirstVersion(
                        SENTIMENT,
                        sentimentTrain,
                        vaderFile.getFileName().toString(),
                        "vader",
                        plan.sentimentOptions());

        listener.stage("starting an in-process Kafka broker");
        RetrainReport retrainReport;
        double retrainSeconds;
        DemoSummary summary;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            createTopics(kafka);
            listener.stage("starting the streaming job on a local Flink runtime");
            // The job creates its missing topics (topics.create), the compacted models topic
            // among them, before the first announcement is written to it.
            ClassifierJob streamJob = streamJob(kafka, motionV1);
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                // Sentiment and the language model are announced like any new version; motion
                // is the job's initial model.
                for (ModelAnnouncement announcement :
                        List.of(sentimentV1, languageModel.announcement())) {
                    producer.send(
                            new ProducerRecord<>(
                                    MODELS,
                                    announcement.name().getBytes(StandardCharsets.UTF_8),
                                    AnnouncementParser.toJson(announcement)));
                }
                producer.flush();
                JobClient job = startStream(streamJob);
                Replay replay = new Replay(producer, EVENTS, plan.rate(), start);
                try (ResultCollector collector =
                        new ResultCollector(
                                kafka.bootstrapServers(), RESULTS, DEAD_LETTERS, this::onResult)) {
                    expectedResults = motion.size() + sentiment.size();
                    probe(replay, collector, MOTION, motionTest.sequences().get(0), 1);
                    probe(replay, collector, SENTIMENT, vader.holdout().sequences().get(0), 1);
                    sendTextEvents(replay, textEvents);

                    listener.stage("replaying the first half of the held-out sequences");
                    replayPhase(replay, collector, firstHalf(motion), firstHalf(sentiment), true);

                    listener.stage(
                            "retraining motion on "
                                    + feedback.size()
                                    + " labelled sequences read from Kafka");
                    long retrainStart = System.nanoTime();
                    retrainReport = retrain(kafka, producer, feedback, motionV1, motionTest.size());
                    retrainSeconds = (System.nanoTime() - retrainStart) / 1e9;
                    listener.stage(
                            "retraining: "
                                    + retrainReport.summary().lines().findFirst().orElse(""));
                    if (retrainReport.decision() == RetrainReport.Decision.PUBLISHED) {
                        long version = (long) retrainReport.get("candidateVersion");
                        awaitServed(replay, collector, motionTest.sequences().get(0), version);
                    }

                    listener.stage("replaying the second half");
                    replayPhase(
                            replay, collector, secondHalf(motion), secondHalf(sentiment), false);
                    collector.awaitDeadLetters(
                            injected.values().stream().mapToInt(i -> i).sum(), PHASE_TIMEOUT);
                    DemoSummary.LanguageModelRun languageModelRun =
                            LanguageModelSummary.build(
                                    languageModel,
                                    textEvents,
                                    PredictionReader.readAll(
                                            kafka.bootstrapServers(),
                                            PREDICTIONS,
                                            textEvents.size(),
                                            PHASE_TIMEOUT),
                                    TOP_K,
                                    CONTINUATION_TEMPERATURE);
                    summary =
                            new SummaryBuilder(models, plannedById, replay, phases, start)
                                    .build(
                                            plan.mode(),
                                            collector.results(),
                                            collector.deadLetters(),
                                            injected,
                                            retrainReport,
                                            feedback.size(),
                                            retrainSeconds,
                                            languageModelRun);
                } finally {
                    job.cancel().get();
                }
            }
        }
        return summary;
    }

    /**
     * The topics the jobs would create otherwise: results stamped by the broker, and labelled
     * events, which the demo writes before the retraining job first runs.
     */
    private void createTopics(EmbeddedKafka kafka) throws Exception {
        // The broker stamps each result when it appends it: the end of the measured latency.
        kafka.createTopic(RESULTS, 2, Map.of("message.timestamp.type", "LogAppendTime"));
        kafka.createTopic(LABELLED, 2);
    }

    /** The stream job, its topics checked and the missing ones created. */
    private ClassifierJob streamJob(EmbeddedKafka kafka, ModelAnnouncement initial) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("topic.events", EVENTS);
        settings.put("topic.results", RESULTS);
        settings.put("topic.dead-letters", DEAD_LETTERS);
        settings.put("topic.models", MODELS);
        settings.put("group.id", "demo");
        settings.put("transactional.id.prefix", "demo");
        // Results become visible at each checkpoint: short, so the demo feels live.
        settings.put("checkpoint.interval", "500 ms");
        settings.put("transaction.timeout", "2 min");
        // While the input is quiet, event time follows the wall clock minus idleness and
        // out-of-orderness; an event that takes longer than that from the producer to the
        // classifier is late. Both are generous because this machine may be busy.
        settings.put("events.max-out-of-orderness", "500 ms");
        settings.put("events.idleness", "5 s");
        settings.put("sequence.gap", "10 min");
        settings.put("parallelism", "2");
        settings.put("model.initial.uri", initial.uri());
        settings.put("topics.create", "true");
        settings.put("topics.partitions", "2");
        settings.put("predictions.models", DemoLanguageModel.NAME);
        settings.put("topic.predictions", PREDICTIONS);
        settings.put("predictions.top-k", Integer.toString(TOP_K));
        settings.put("predictions.temperature", Double.toString(CONTINUATION_TEMPERATURE));
        ClassifierJob job = new ClassifierJob(StreamJobConfig.fromMap(settings), new ModelLoader());
        job.checkBroker();
        return job;
    }

    private JobClient startStream(ClassifierJob job) throws Exception {
        Configuration conf = job.flinkConfiguration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        return job.start(env, UnaryOperator.identity());
    }

    /** Sends one sequence on a fresh key and returns the version that classified it. */
    private long probe(
            Replay replay,
            ResultCollector collector,
            String model,
            LabeledSequence sequence,
            int attempt)
            throws Exception {
        String key = "probe-" + model + "-" + (++probes);
        DemoEvents.Planned planned = new DemoEvents.Planned(model, key, "p" + attempt, sequence);
        replay.send(DemoEvents.steps(planned));
        return collector.await(r -> r.key().equals(key), 1, PHASE_TIMEOUT).get(0).modelVersion();
    }

    private void awaitServed(
            Replay replay, ResultCollector collector, LabeledSequence sequence, long version)
            throws Exception {
        long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            if (probe(replay, collector, MOTION, sequence, attempt) == version) {
                listener.stage("the stream now serves motion v" + version);
                return;
            }
        }
        throw new DemoException("the stream did not take up motion v" + version);
    }

    private void replayPhase(
            Replay replay,
            ResultCollector collector,
            List<DemoEvents.Planned> motion,
            List<DemoEvents.Planned> sentiment,
            boolean injectBadRecords)
            throws Exception {
        DemoEvents events = new DemoEvents();
        motion.forEach(events::add);
        sentiment.forEach(events::add);
        List<DemoEvents.Planned> planned = events.planned();
        planned.forEach(p -> plannedById.put(p.id(), p));
        List<DemoEvents.Step> steps = events.interleaved();
        long begin = System.currentTimeMillis();
        double sendingBefore = replay.sendingSeconds();
        if (injectBadRecords) {
            int half = steps.size() / 2;
            replay.send(steps.subList(0, half));
            injectBadRecords(replay);
            replay.send(steps.subList(half, steps.size()));
        } else {
            replay.send(steps);
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        planned.forEach(p -> ids.add(p.id()));
        collector.await(r -> ids.contains(r.id()), planned.size(), PHASE_TIMEOUT);
        phases.add(
                new SummaryBuilder.Phase(
                        begin,
                        System.currentTimeMillis(),
                        replay.sendingSeconds() - sendingBefore));
    }

    /**
     * The language model's events, keyed by entity so that each key's lines stay in order; they go
     * out with the first phase and are read back at the end.
     */
    private static void sendTextEvents(Replay replay, List<DemoLanguageModel.PlannedEvent> events) {
        for (DemoLanguageModel.PlannedEvent event : events) {
            ObjectNode json =
                    JSON.createObjectNode()
                            .put("key", event.key())
                            .put("ts", replay.eventTime())
                            .put("model", DemoLanguageModel.NAME)
                            .put("text", event.text());
            if (event.continuation() > 0) {
                json.put("continue", event.continuation());
            }
            replay.sendRaw(event.key(), json.toString());
        }
    }

    /** One record of each kind the job must route to the dead-letter topic instead of failing. */
    private void injectBadRecords(Replay replay) {
        long ts = replay.eventTime();
        replay.sendRaw("bad-1", "{\"key\": \"bad-1\", \"ts\": " + ts + ", \"features\": [1, 2");
        injected.merge("unparsable", 1, Integer::sum);
        replay.sendRaw(
                "bad-2",
                "{\"key\":\"bad-2\",\"ts\":"
                        + ts
                        + ",\"model\":\"motion\",\"features\":[1.0,2.0,3.0],\"end\":true}");
        injected.merge("wrong-dimension", 1, Integer::sum);
        replay.sendRaw(
                "bad-3",
                "{\"key\":\"bad-3\",\"ts\":"
                        + ts
                        + ",\"model\":\"weather\",\"features\":[1.0],\"end\":true}");
        injected.merge("unknown-model", 1, Integer::sum);
        replay.sendRaw("bad-4", "{\"key\":\"bad-4\",\"model\":\"sentiment\",\"token\":\"good\"}");
        injected.merge("missing-timestamp", 1, Integer::sum);
        listener.live("  (sent 4 broken records on purpose: they must end up as dead letters)");
    }

    private RetrainReport retrain(
            EmbeddedKafka kafka,
            KafkaProducer<byte[], byte[]> producer,
            Dataset labelled,
            ModelAnnouncement inService,
            int testSequences)
            throws Exception {
        DemoEvents feedback = new DemoEvents();
        for (int i = 0; i < labelled.size(); i++) {
            LabeledSequence sequence = labelled.sequences().get(i);
            feedback.add(new DemoEvents.Planned(MOTION, "feedback-" + (i % 10), "f" + i, sequence));
        }
        new Replay(producer, LABELLED, 0, System.currentTimeMillis())
                .send(feedback.interleaved(), true);
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("topic.labelled", LABELLED);
        settings.put("topic.models", MODELS);
        settings.put("model.name", MOTION);
        settings.put("model.store", models.store().toUri().toString());
        settings.put("model.initial.uri", inService.uri());
        settings.put("labelled.from", "earliest");
        settings.put("train.max-epochs", Integer.toString(plan.retrainEpochs()));
        // Full BPTT: sequences are 100 steps, and DL4J's truncated BPTT is defective (see
        // model-core's README).
        settings.put("train.tbptt-length", "0");
        settings.put("gate.margin", Double.toString(plan.gateMargin()));
        // The gate decides on the BasicMotions test set (40 sequences), far below the default
        // gate.min-holdout: the demo shows the mechanism, and the report's Wilson intervals show
        // how little 40 sequences can tell apart.
        Path holdout = plan.dataDirectory().resolve("basicmotions/BasicMotions_TEST.ts");
        settings.put("holdout.files", holdout.toString());
        settings.put("gate.min-holdout", Integer.toString(testSequences));
        // The demo shows the stream switching to the retrained version at once.
        settings.put("publish.role", "serving");
        settings.put("report.file", plan.out().resolve("retrain-report.json").toString());
        settings.put("parallelism", "1");
        settings.put("topics.create", "true");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(RetrainJob.flinkConfiguration());
        return new RetrainJob(RetrainConfig.fromMap(settings), e -> {}).run(env);
    }

    private void onResult(ResultCollector.Streamed result) {
        DemoEvents.Planned planned = plannedById.get(result.id());
        if (planned == null) {
            return;
        }
        long done = received.incrementAndGet();
        listener.progress(done, expectedResults, result.model() + " v" + result.modelVersion());
        if (done % Math.max(1, expectedResults / 10) == 1) {
            listener.live(LiveLine.format(result, planned.sequence()));
        }
    }

    private static List<DemoEvents.Planned> assign(
            String model, String keyPrefix, int keys, List<LabeledSequence> sequences) {
        List<DemoEvents.Planned> planned = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            planned.add(
                    new DemoEvents.Planned(
                            model, keyPrefix + (i % keys), "s" + i, sequences.get(i)));
        }
        return planned;
    }

    private static List<LabeledSequence> shuffled(List<LabeledSequence> all, int count) {
        List<LabeledSequence> copy = new ArrayList<>(all);
        Collections.shuffle(copy, new Random(7));
        return copy.subList(0, Math.min(count, copy.size()));
    }

    private static <T> List<T> firstHalf(List<T> all) {
        return all.subList(0, all.size() / 2);
    }

    private static <T> List<T> secondHalf(List<T> all) {
        return all.subList(all.size() / 2, all.size());
    }

    static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * value);
    }
}
