package io.rnnstream.stream;

import io.rnnstream.stream.classify.Classification;
import io.rnnstream.stream.classify.ClassifierSettings;
import io.rnnstream.stream.classify.SequenceClassifierFunction;
import io.rnnstream.stream.classify.SequenceClassifierOperator;
import io.rnnstream.stream.classify.StateKey;
import io.rnnstream.stream.evaluate.EvaluateVersions;
import io.rnnstream.stream.evaluate.EvaluateVersionsOperator;
import io.rnnstream.stream.evaluate.EvaluationRecord;
import io.rnnstream.stream.evaluate.EvaluationSettings;
import io.rnnstream.stream.evaluate.Label;
import io.rnnstream.stream.evaluate.LabelJoin;
import io.rnnstream.stream.evaluate.Outcome;
import io.rnnstream.stream.evaluate.ParseLabels;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.ingest.ParseEvents;
import io.rnnstream.stream.ingest.QuietAdvancingWatermarks;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.stream.predict.AnnouncementsFor;
import io.rnnstream.stream.predict.LanguageModelFunction;
import io.rnnstream.stream.predict.LanguageModelOperator;
import io.rnnstream.stream.predict.Prediction;
import io.rnnstream.stream.predict.PredictionSettings;
import io.rnnstream.stream.predict.RouteToLanguageModels;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The classifier's dataflow, independent of where records come from and go to: parse, assign event
 * time, key by (model, entity), classify with the broadcast model versions. Every stateful operator
 * has a stable uid so savepoints survive upgrades.
 */
public final class ClassifierPipeline {

    /** Stable operator ids; changing one orphans its state in existing savepoints. */
    public static final String PARSE_UID = "parse-events";

    public static final String WATERMARKS_UID = "event-time";
    public static final String CLASSIFY_UID = "classify-sequences";
    public static final String PARSE_LABELS_UID = "parse-labels";
    public static final String JOIN_LABELS_UID = "join-labels";
    public static final String EVALUATE_UID = "evaluate-versions";
    public static final String ROUTE_UID = "route-to-language-models";
    public static final String CLASSIFIER_MODELS_UID = "classifier-announcements";
    public static final String PREDICT_UID = "predict-next-symbols";

    /**
     * What the pipeline produces. {@code evaluations} and {@code promotions} are null when the live
     * evaluation is off.
     *
     * @param classifications served results
     * @param shadowClassifications results of shadow versions, never served
     * @param deadLetters records that cannot be used
     * @param evaluations live evaluation and decision records
     * @param promotions serving announcements of shadows the policy promoted
     * @param predictions language-model predictions; null when the job has no language model
     */
    public record Outputs(
            DataStream<Classification> classifications,
            DataStream<Classification> shadowClassifications,
            DataStream<DeadLetter> deadLetters,
            DataStream<EvaluationRecord> evaluations,
            DataStream<RoleAnnouncement> promotions,
            DataStream<Prediction> predictions) {}

    private ClassifierPipeline() {}

    /** The pipeline without the live evaluation. */
    public static Outputs build(
            DataStream<RawRecord> events,
            DataStream<RawRecord> modelAnnouncements,
            ClassifierSettings settings,
            ModelLoader loader,
            int maxRecordBytes,
            Duration maxOutOfOrderness,
            Duration idleness) {
        return build(
                events,
                modelAnnouncements,
                null,
                settings,
                null,
                PredictionSettings.none(),
                loader,
                maxRecordBytes,
                maxOutOfOrderness,
                idleness);
    }

    /**
     * The pipeline; with {@code labelledEvents} and {@code evaluation} given (and {@code
     * settings.evaluate()}), also the live evaluation of every version against the labels.
     */
    public static Outputs build(
            DataStream<RawRecord> events,
            DataStream<RawRecord> modelAnnouncements,
            DataStream<RawRecord> labelledEvents,
            ClassifierSettings settings,
            EvaluationSettings evaluation,
            PredictionSettings predictionSettings,
            ModelLoader loader,
            int maxRecordBytes,
            Duration maxOutOfOrderness,
            Duration idleness) {
        if (settings.evaluate() != (labelledEvents != null && evaluation != null)) {
            throw new IllegalArgumentException(
                    "the live evaluation needs the classifier's predictions, the labelled events"
                            + " and its settings together");
        }
        SingleOutputStreamOperator<Event> parsed =
                events.process(
                                new ParseEvents(
                                        maxRecordBytes,
                                        settings.defaultModel(),
                                        predictionSettings.models()))
                        .uid(PARSE_UID)
                        .name("parse events");
        DataStream<Event> classifierEvents = parsed;
        DataStream<RawRecord> classifierAnnouncements = modelAnnouncements;
        SingleOutputStreamOperator<Prediction> predicted = null;
        if (predictionSettings.enabled()) {
            SingleOutputStreamOperator<Event> routed =
                    parsed.process(new RouteToLanguageModels(predictionSettings))
                            .uid(ROUTE_UID)
                            .name("route to language models");
            classifierEvents = routed;
            classifierAnnouncements =
                    modelAnnouncements
                            .filter(
                                    AnnouncementsFor.classifiersBesides(
                                            predictionSettings.models()))
                            .uid(CLASSIFIER_MODELS_UID)
                            .name("classifier announcements");
            predicted =
                    routed.getSideOutput(RouteToLanguageModels.LANGUAGE_MODELS)
                            .keyBy(ClassifierPipeline::stateKey, Types.STRING)
                            .connect(modelAnnouncements.broadcast())
                            .transform(
                                    "predict next symbols",
                                    TypeInformation.of(Prediction.class),
                                    new LanguageModelOperator(
                                            new LanguageModelFunction(predictionSettings, loader)))
                            .uid(PREDICT_UID)
                            .name("predict next symbols");
        }
        DataStream<Event> timed =
                classifierEvents
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Event>forGenerator(
                                                context ->
                                                        new QuietAdvancingWatermarks(
                                                                maxOutOfOrderness.toMillis(),
                                                                idleness.toMillis(),
                                                                context.getInputActivityClock()))
                                        .withTimestampAssigner(
                                                (event, kafkaTime) -> event.timestamp()))
                        .uid(WATERMARKS_UID)
                        .name("event time");
        // Every subtask sees every announcement; SequenceClassifierOperator keeps them in the
        // broadcast state ACCEPTED_MODELS, as Flink's keyed broadcast operator would.
        SingleOutputStreamOperator<Classification> classified =
                timed.keyBy(ClassifierPipeline::stateKey, Types.STRING)
                        .connect(classifierAnnouncements.broadcast())
                        .transform(
                                "classify sequences",
                                TypeInformation.of(Classification.class),
                                new SequenceClassifierOperator(
                                        new SequenceClassifierFunction(settings, loader)))
                        .uid(CLASSIFY_UID)
                        .name("classify sequences");
        DataStream<DeadLetter> deadLetters =
                parsed.getSideOutput(DeadLetter.SIDE_OUTPUT)
                        .union(classified.getSideOutput(DeadLetter.SIDE_OUTPUT));
        if (predicted != null) {
            deadLetters = deadLetters.union(predicted.getSideOutput(DeadLetter.SIDE_OUTPUT));
        }
        DataStream<Classification> shadows =
                classified.getSideOutput(SequenceClassifierFunction.SHADOW_RESULTS);
        if (!settings.evaluate()) {
            return new Outputs(classified, shadows, deadLetters, null, null, predicted);
        }
        DataStream<Label> labels =
                labelledEvents
                        .process(new ParseLabels(maxRecordBytes, settings.defaultModel()))
                        .uid(PARSE_LABELS_UID)
                        .name("parse labels");
        DataStream<Outcome> outcomes =
                classified
                        .getSideOutput(SequenceClassifierFunction.PREDICTIONS)
                        .keyBy(p -> StateKey.of(p.model(), p.entity()), Types.STRING)
                        .connect(
                                labels.keyBy(l -> StateKey.of(l.model(), l.entity()), Types.STRING))
                        .process(new LabelJoin(evaluation.ttl()))
                        .uid(JOIN_LABELS_UID)
                        .name("join labels");
        SingleOutputStreamOperator<EvaluationRecord> evaluations =
                outcomes.keyBy(Outcome::model, Types.STRING)
                        .connect(modelAnnouncements.broadcast())
                        .transform(
                                "evaluate versions",
                                TypeInformation.of(EvaluationRecord.class),
                                new EvaluateVersionsOperator(
                                        new EvaluateVersions(
                                                evaluation.every(), evaluation.policy())))
                        .uid(EVALUATE_UID)
                        .name("evaluate versions");
        return new Outputs(
                classified,
                shadows,
                deadLetters,
                evaluations,
                evaluations.getSideOutput(EvaluateVersions.PROMOTIONS),
                predicted);
    }

    /** Keyed state is per model and entity, so two models never share a hidden state. */
    static String stateKey(Event event) {
        return StateKey.of(event.model(), event.key());
    }
}
