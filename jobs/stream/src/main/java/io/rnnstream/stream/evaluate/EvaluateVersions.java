package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live evaluation of every version of a model (keyed by model name): adds each {@link Outcome}
 * to its version's figures ({@link VersionStats}, per version and role), writes an evaluation
 * record every {@code every} labelled sequences of a version (and, through {@link
 * EvaluateVersionsOperator}, at each checkpoint for a version whose figures changed since its last
 * record), exposes the figures as metrics with {@code model}, {@code version} and {@code role}
 * labels, and promotes a shadow that meets the {@link PromotionPolicy}: a decision record with its
 * figures, and a serving announcement of the shadow on the {@link #PROMOTIONS} output, which goes
 * to the model topic. The classifier takes the promotion from there, as any announcement, so a
 * promotion is the same live swap as a new version: sequences that start afterwards are served by
 * it.
 *
 * <p>Announcements arrive here too (broadcast), unverified: they tell this function the artifact of
 * a shadow to promote, which version serves, so a shadow that already serves (promoted by hand) is
 * not promoted again, and which shadows were retired: the sequences a retired shadow still finishes
 * count in its figures, but never promote it.
 */
public final class EvaluateVersions
        extends KeyedBroadcastProcessFunction<String, Outcome, RawRecord, EvaluationRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateVersions.class);

    /** Serving announcements of shadows the policy promoted, for the model topic. */
    public static final OutputTag<RoleAnnouncement> PROMOTIONS =
            new OutputTag<>("promotions", TypeInformation.of(RoleAnnouncement.class));

    /**
     * Announced versions by id ({@code name#version}), the serving one by {@code serving:name}, and
     * retired shadows by {@code retired:name#version}.
     */
    public static final MapStateDescriptor<String, ModelAnnouncement> ANNOUNCED =
            new MapStateDescriptor<>(
                    "evaluation-announcements",
                    Types.STRING,
                    TypeInformation.of(ModelAnnouncement.class));

    private static final String RETIRED = "retired:";

    private final long every;
    private final PromotionPolicy policy;

    /** Figures by {@code version/role}. */
    private transient MapState<String, VersionStats> stats;

    /** The latest figures per model, version and role, for the gauges. */
    private transient Map<String, VersionStats> latest;

    /**
     * By model, then {@code version/role}: the last outcome of each version whose figures changed
     * since its last record. Not state: a restore resumes from the checkpoint that reported them.
     */
    private transient Map<String, Map<String, Outcome>> unreported;

    public EvaluateVersions(long every, PromotionPolicy policy) {
        if (every < 1) {
            throw new IllegalArgumentException("evaluation.every must be >= 1, was " + every);
        }
        this.every = every;
        this.policy = policy;
    }

    @Override
    public void open(OpenContext openContext) {
        stats =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "version-evaluations",
                                        Types.STRING,
                                        TypeInformation.of(VersionStats.class)));
        latest = new HashMap<>();
        unreported = new LinkedHashMap<>();
    }

    @Override
    public void processElement(
            Outcome outcome, ReadOnlyContext ctx, Collector<EvaluationRecord> out)
            throws Exception {
        String id = outcome.version() + "/" + outcome.role().code();
        VersionStats figures = stats.get(id);
        if (figures == null) {
            figures = VersionStats.of(outcome.labels());
        }
        figures.add(outcome);
        Map<String, Outcome> modelUnreported =
                unreported.computeIfAbsent(outcome.model(), m -> new LinkedHashMap<>());
        if (figures.labelled % every == 0) {
            out.collect(EvaluationRecord.evaluation(outcome, figures, EvaluationRecord.EVERY));
            modelUnreported.remove(id);
        } else {
            modelUnreported.put(id, outcome);
        }
        if (outcome.role() == ModelRole.SHADOW
                && policy.auto()
                && !figures.promoted
                && policy.promotes(figures)) {
            String versionId = outcome.model() + "#" + outcome.version();
            ModelAnnouncement shadow = ctx.getBroadcastState(ANNOUNCED).get(versionId);
            ModelAnnouncement serving =
                    ctx.getBroadcastState(ANNOUNCED).get("serving:" + outcome.model());
            if (ctx.getBroadcastState(ANNOUNCED).contains(RETIRED + versionId)) {
                LOG.debug("{} meets the promotion policy but was retired; not promoted", versionId);
            } else if (shadow == null) {
                LOG.warn(
                        "model {} version {} meets the promotion policy but its announcement was"
                                + " not seen; not promoted",
                        outcome.model(),
                        outcome.version());
            } else if (serving == null || shadow.version() > serving.version()) {
                figures.promoted = true;
                out.collect(EvaluationRecord.promotion(outcome, figures, policy));
                ctx.output(PROMOTIONS, RoleAnnouncement.serving(shadow));
                LOG.info(
                        "model {} version {} promoted: {} labelled sequences, accuracy {} against"
                                + " {}, p = {}",
                        outcome.model(),
                        outcome.version(),
                        figures.labelled,
                        figures.accuracy(),
                        figures.servingAccuracy(),
                        figures.pValue());
            }
        }
        stats.put(id, figures);
        gauges(outcome, figures);
    }

    @Override
    public void processBroadcastElement(
            RawRecord record, Context ctx, Collector<EvaluationRecord> out) throws Exception {
        RoleAnnouncement announced;
        try {
            announced = AnnouncementParser.parseRole(record.value());
        } catch (IllegalArgumentException e) {
            return; // the classifier dead-letters it
        }
        BroadcastState<String, ModelAnnouncement> announcements = ctx.getBroadcastState(ANNOUNCED);
        ModelAnnouncement version = announced.version();
        announcements.put(version.id(), version);
        if (announced.role() == ModelRole.RETIRED) {
            announcements.put(RETIRED + version.id(), version);
        } else if (announced.role() == ModelRole.SHADOW) {
            announcements.remove(RETIRED + version.id()); // announced again: it runs again
        }
        if (announced.role() == ModelRole.SERVING) {
            ModelAnnouncement serving = announcements.get("serving:" + version.name());
            if (serving == null || version.version() > serving.version() || announced.rollback()) {
                announcements.put("serving:" + version.name(), version);
            }
        }
    }

    /**
     * Writes an evaluation record of every version whose figures changed since its last record, and
     * forgets them: called before a checkpoint barrier, with the operator's means to select a
     * model's keyed state.
     */
    void reportUnreported(Consumer<String> selectModel, Consumer<EvaluationRecord> out)
            throws Exception {
        for (Map.Entry<String, Map<String, Outcome>> model : unreported.entrySet()) {
            selectModel.accept(model.getKey());
            for (Map.Entry<String, Outcome> version : model.getValue().entrySet()) {
                out.accept(
                        EvaluationRecord.evaluation(
                                version.getValue(),
                                stats.get(version.getKey()),
                                EvaluationRecord.CHECKPOINT));
            }
        }
        unreported.clear();
    }

    /** Keeps the figures the metrics of this model, version and role read. */
    private void gauges(Outcome outcome, VersionStats figures) {
        String id = outcome.model() + "/" + outcome.version() + "/" + outcome.role().code();
        if (latest.put(id, figures) != null) {
            return;
        }
        MetricGroup group =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("model", outcome.model())
                        .addGroup("version", Long.toString(outcome.version()))
                        .addGroup("role", outcome.role().code());
        group.gauge("labelledSequences", (Gauge<Long>) () -> latest.get(id).labelled);
        group.gauge("liveAccuracy", (Gauge<Double>) () -> latest.get(id).accuracy());
        group.gauge("liveMacroF1", (Gauge<Double>) () -> latest.get(id).macroF1());
        group.gauge("agreementWithServing", (Gauge<Double>) () -> latest.get(id).agreement());
    }
}
