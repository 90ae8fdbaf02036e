package io.rnnstream.retrain;

import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.Manifest;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.eval.Evaluation;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import io.rnnstream.stream.config.RnnstreamVersion;
import io.rnnstream.stream.config.Settings;
import io.rnnstream.stream.model.FlinkFileSystemSource;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.stream.topics.KafkaTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retraining job: reads labelled events from Kafka (a Flink batch job) and labelled files,
 * trains a candidate with truncated BPTT (warm-started from the version in service by default),
 * compares both versions on the same held-out data, checks the candidate's served form against
 * DL4J, and publishes it to the model store and the model topic only if it passes. Every run writes
 * a report of its decision.
 *
 * <p>Run it with {@code flink run} (this class is the entry point; training runs in the client or,
 * in application mode, in the JobManager), or with {@code rnnstream retrain --config FILE}.
 */
public final class RetrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);

    private final RetrainConfig config;
    private final ModelStore.StageListener publishListener;
    private final SequenceTrainer.Listener trainingListener;

    public RetrainJob(RetrainConfig config, SequenceTrainer.Listener trainingListener) {
        this(
                config,
                trainingListener,
                (stage, detail) -> LOG.info("publish: {} {}", stage, detail));
    }

    RetrainJob(
            RetrainConfig config,
            SequenceTrainer.Listener trainingListener,
            ModelStore.StageListener publishListener) {
        this.config = config;
        this.trainingListener = trainingListener;
        this.publishListener = publishListener;
    }

    /** {@code --config FILE} and/or {@code --key value} settings. */
    public static void main(String[] args) throws Exception {
        RetrainConfig config = RetrainConfig.fromMap(Settings.fromJobArguments(args));
        RetrainReport report =
                new RetrainJob(
                                config,
                                epoch ->
                                        LOG.info(
                                                "epoch {}/{} loss {} validation accuracy {}",
                                                epoch.epoch(),
                                                epoch.maxEpochs(),
                                                epoch.trainLoss(),
                                                epoch.validationAccuracy()))
                        .run(
                                StreamExecutionEnvironment.getExecutionEnvironment(
                                        flinkConfiguration()));
        System.out.print(report.summary());
    }

    /**
     * Creates the missing topics when {@code topics.create} is on, else stops at once on a missing
     * one; an unreachable broker fails after {@code broker.timeout} instead of Kafka's minute.
     */
    private void checkTopics() {
        new KafkaTopics(config.kafkaProperties(), config.bootstrapServers(), config.topicSettings())
                .ensure(config.topics());
    }

    /** Every type needs an explicit serializer, as in the streaming job. */
    public static Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    /** One run; the report is also written to {@code report.file}. */
    public RetrainReport run(StreamExecutionEnvironment env) throws Exception {
        long started = System.nanoTime();
        checkTopics();
        RetrainReport report = new RetrainReport(config.modelName());
        ModelTopic topic =
                new ModelTopic(
                        config.bootstrapServers(), config.modelsTopic(), config.kafkaProperties());
        ModelStore store = new ModelStore(config.store(), config.modelName(), publishListener);

        // Every announced version counts for numbering; only serving ones can be in service.
        List<ModelAnnouncement> announced = topic.announcements(config.modelName());
        report.put("firstVersion", config.firstVersion());
        InService service = null;
        if (config.firstVersion()) {
            Baseline.checkFirstVersion(config, announced, store.highestVersion());
        } else {
            Baseline baseline = Baseline.find(config, topic.serving(config.modelName()));
            if (!baseline.refused().isEmpty()) {
                report.put("refusedAnnouncements", baseline.refused());
            }
            if (baseline.service() == null) {
                report.decide(RetrainReport.Decision.REJECTED_NO_BASELINE, baseline.missing());
                return finish(report, started);
            }
            service = baseline.service();
            report.put("serviceVersion", service.announcement().version());
            report.put("serviceUri", service.announcement().uri());
        }

        OffsetRange range;
        Map<String, Object> admin = new HashMap<>(config.kafkaProperties());
        admin.put("bootstrap.servers", config.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            Map<Integer, Long> remembered =
                    service == null
                            ? Map.of()
                            : OffsetRange.decodeEnds(
                                    service.artifact()
                                            .manifest()
                                            .provenance()
                                            .get(OffsetRange.PROVENANCE_KEY),
                                    config.labelledTopic());
            range =
                    LabelledOffsets.resolve(
                            client, config.labelledTopic(), config.from(), config.to(), remembered);
        }
        report.put("labelledOffsets", range.encode());
        List<AssembledSequence> outcomes = LabelledEventsReader.read(env, config, range);

        TrainingData data;
        try {
            data =
                    TrainingData.build(
                            outcomes,
                            "kafka " + range.encode(),
                            config,
                            service == null ? null : service.classifier().spec());
        } catch (TrainingData.NotEnoughData e) {
            report.put("data", e.report.toMap());
            if (e.holdout != null) {
                report.put("holdoutSequences", e.holdout);
            }
            report.decide(RetrainReport.Decision.NOT_ENOUGH_DATA, e.getMessage());
            return finish(report, started);
        }
        report.put("data", data.report().toMap());
        report.put("trainSequences", data.train().size());
        report.put("holdoutSequences", data.holdout().size());

        SequenceTrainer.WarmStart warmStart =
                config.warmStart() && service != null
                        ? ArtifactFactory.warmStart(
                                new FlinkFileSystemSource(service.announcement().uri()),
                                service.artifact())
                        : null;
        report.put("warmStart", warmStart != null);
        TrainedModel model =
                SequenceTrainer.train(data.train(), config.training(), warmStart, trainingListener);
        report.put("training", trainingSummary(model));
        if (service != null) {
            ModelLoader.checkFits(service.classifier().spec(), model.classifier().spec());
        }

        // Above every version in the store and on the topic, refused ones included: a version
        // number is never reused, so the stream never sees two artifacts under one version.
        long version = store.highestVersion();
        for (ModelAnnouncement announcement : announced) {
            version = Math.max(version, announcement.version());
        }
        version = Math.max(version, service == null ? 0 : service.announcement().version()) + 1;
        Path local = Files.createTempDirectory("rnnstream-retrain");
        try {
            Path artifactDir = local.resolve(Long.toString(version));
            Evaluation candidateScore = Evaluator.evaluate(model.classifier(), data.holdout());
            Manifest manifest = manifest(model, version, range, service, candidateScore);
            String sha = ArtifactFactory.write(artifactDir, model, manifest);
            ModelArtifact written = ModelArtifact.load(new DirectorySource(artifactDir), sha);
            report.put("candidateVersion", version);
            return decideAndPublish(
                    report,
                    started,
                    service,
                    model,
                    written,
                    candidateScore,
                    data.holdout(),
                    store,
                    topic,
                    artifactDir);
        } finally {
            deleteRecursively(local);
        }
    }

    private RetrainReport decideAndPublish(
            RetrainReport report,
            long started,
            InService service,
            TrainedModel model,
            ModelArtifact written,
            Evaluation candidate,
            Dataset holdout,
            ModelStore store,
            ModelTopic topic,
            Path artifactDir)
            throws Exception {
        RetrainConfig.GateMetric metric = config.gateMetric();
        double candidateScore = score(candidate, metric);
        report.put("metric", metric.code());
        report.put("margin", config.gateMargin());
        report.put("candidateScore", candidateScore);
        AccuracyInterval candidateAccuracy = AccuracyInterval.of(candidate);
        report.put("candidateAccuracyInterval95", candidateAccuracy.bounds());
        report.put("candidateEvaluation", candidate.toMap());
        Double serviceScore = null;
        AccuracyInterval serviceAccuracy = null;
        if (service != null) {
            Evaluation evaluation = Evaluator.evaluate(service.classifier(), holdout);
            serviceScore = score(evaluation, metric);
            serviceAccuracy = AccuracyInterval.of(evaluation);
            report.put("serviceScore", serviceScore);
            report.put("serviceAccuracyInterval95", serviceAccuracy.bounds());
            report.put("serviceEvaluation", evaluation.toMap());
        } else if (!config.firstVersion()) {
            throw new IllegalStateException("no version in service and not a first version");
        }

        ParityCheck.Result parity =
                ParityCheck.run(
                        model.network(),
                        written.classifier(),
                        holdout.sequences()
                                .subList(0, Math.min(config.goldenSequences(), holdout.size())));
        report.put("parityMaxDifference", parity.maxDifference());
        report.put("paritySequences", parity.sequences());
        if (!(parity.maxDifference() <= config.parityTolerance())) {
            report.decide(
                    RetrainReport.Decision.REJECTED_PARITY,
                    String.format(
                            Locale.ROOT,
                            "served probabilities differ from DL4J's by up to %.3g on %d golden"
                                    + " sequences, above gate.parity-tolerance %.3g",
                            parity.maxDifference(),
                            parity.sequences(),
                            config.parityTolerance()));
            return finish(report, started);
        }
        if (serviceScore != null && candidateScore < serviceScore - config.gateMargin()) {
            report.decide(
                    RetrainReport.Decision.REJECTED_WORSE,
                    String.format(
                            Locale.ROOT,
                            "candidate %s %.4f is below version %d's %.4f by more than gate.margin"
                                    + " %.4f on the same %d held-out sequences (candidate %s,"
                                    + " version %d %s)",
                            metric.code(),
                            candidateScore,
                            service.announcement().version(),
                            serviceScore,
                            config.gateMargin(),
                            holdout.size(),
                            candidateAccuracy.describe(),
                            service.announcement().version(),
                            serviceAccuracy.describe()));
            return finish(report, started);
        }

        List<String> removed = store.removeAbandonedStaging();
        if (!removed.isEmpty()) {
            report.put("removedAbandonedStaging", removed);
        }
        long version = written.manifest().version();
        String uri = store.publish(artifactDir, version);
        topic.announce(
                new RoleAnnouncement(
                        new ModelAnnouncement(
                                config.modelName(), version, uri, written.manifestSha256()),
                        config.publishRole(),
                        false));
        publishListener.reached(ModelStore.Stage.ANNOUNCED, uri);
        report.put("publishedRole", config.publishRole().code());
        report.put("publishedUri", uri);
        report.put("publishedSha256", written.manifestSha256());
        report.decide(
                RetrainReport.Decision.PUBLISHED,
                service == null
                        ? String.format(
                                Locale.ROOT,
                                "first version of %s (gate.first-version), published without"
                                        + " comparison; %s %.4f on %d held-out sequences"
                                        + " (%s)",
                                config.modelName(),
                                metric.code(),
                                candidateScore,
                                holdout.size(),
                                candidateAccuracy.describe())
                        : String.format(
                                Locale.ROOT,
                                "candidate %s %.4f vs version %d's %.4f on the same %d held-out"
                                        + " sequences (gate.margin %.4f; candidate %s, version"
                                        + " %d %s)",
                                metric.code(),
                                candidateScore,
                                service.announcement().version(),
                                serviceScore,
                                holdout.size(),
                                config.gateMargin(),
                                candidateAccuracy.describe(),
                                service.announcement().version(),
                                serviceAccuracy.describe()));
        return finish(report, started);
    }

    private RetrainReport finish(RetrainReport report, long started) throws IOException {
        report.put("seconds", (System.nanoTime() - started) / 1e9);
        if (config.reportStore()) {
            report.put(
                    "storedReport",
                    ModelStore.reportUri(config.store(), config.modelName(), report));
            ModelStore.writeReport(report.get("storedReport").toString(), report.toJson());
        }
        report.write(config.reportFile());
        LOG.info(
                "retraining {}: {} ({})",
                config.modelName(),
                report.decision().code(),
                report.reason());
        return report;
    }

    private static double score(Evaluation evaluation, RetrainConfig.GateMetric metric) {
        return metric == RetrainConfig.GateMetric.ACCURACY
                ? evaluation.accuracy()
                : evaluation.macroF1();
    }

    private Manifest manifest(
            TrainedModel model,
            long version,
            OffsetRange range,
            InService service,
            Evaluation holdout) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("holdoutAccuracy", holdout.accuracy());
        extra.put("holdoutMacroF1", holdout.macroF1());
        extra.put("holdoutSequences", holdout.total());
        StringBuilder sources = new StringBuilder("kafka " + range.encode());
        config.dataFiles().forEach(f -> sources.append(", ").append(f));
        Manifest manifest =
                ArtifactFactory.manifest(
                        model,
                        config.modelName(),
                        version,
                        new ArtifactFactory.Provenance(
                                sources.toString(),
                                "labelled-events",
                                null,
                                RnnstreamVersion.get(),
                                service == null ? null : service.announcement().sha256()),
                        extra);
        Map<String, String> provenance = new LinkedHashMap<>(manifest.provenance());
        provenance.put(OffsetRange.PROVENANCE_KEY, range.encode());
        return new Manifest(
                manifest.formatVersion(),
                manifest.name(),
                manifest.version(),
                manifest.createdAt(),
                manifest.spec(),
                manifest.tokenizer(),
                manifest.normalizer(),
                manifest.training(),
                manifest.metrics(),
                provenance,
                manifest.files());
    }

    private static Map<String, Object> trainingSummary(TrainedModel model) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("tbpttLength", model.options().tbpttLength());
        summary.put("epochsRun", model.history().size());
        summary.put("bestEpoch", model.bestEpoch());
        summary.put("validationAccuracy", model.validationAccuracy());
        summary.put("seconds", model.trainSeconds());
        return summary;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
