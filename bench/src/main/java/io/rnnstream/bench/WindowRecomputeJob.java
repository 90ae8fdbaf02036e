package io.rnnstream.bench;

import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.ClassifierPipeline;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.ingest.ParseEvents;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.sink.ClassificationSerializer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The window-recompute job: the classifier job's Kafka source, parsing and results sink (built by
 * {@link ClassifierJob} from the same settings), with {@link WindowRecomputeFunction} keyed by
 * entity in place of the classifier. No event-time ordering: a stateless service takes events as
 * they arrive, so this baseline does less work per event than the classifier.
 */
final class WindowRecomputeJob {

    private WindowRecomputeJob() {}

    static JobClient start(
            StreamJobConfig config,
            WindowRecomputeFunction.Contender contender,
            StreamExecutionEnvironment env)
            throws Exception {
        ClassifierJob kafka = new ClassifierJob(config, new ModelLoader());
        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(config.parallelism());
        DataStream<RawRecord> raw =
                env.fromSource(
                                kafka.source(config.eventsTopic(), config.groupId()),
                                WatermarkStrategy.noWatermarks(),
                                "kafka events")
                        .uid(ClassifierJob.EVENTS_SOURCE_UID);
        DataStream<Event> events =
                raw.process(
                                new ParseEvents(
                                        config.maxRecordBytes(),
                                        kafka.settings().defaultModel(),
                                        java.util.Set.of()))
                        .uid(ClassifierPipeline.PARSE_UID)
                        .name("parse events");
        events.keyBy(Event::key, Types.STRING)
                .process(new WindowRecomputeFunction(contender))
                .uid("window-recompute")
                .name("window recompute " + contender)
                .sinkTo(kafka.sink(new ClassificationSerializer(config.resultsTopic()), "results"))
                .uid(ClassifierJob.RESULTS_SINK_UID)
                .name("kafka classifications");
        return env.executeAsync("window recompute " + contender);
    }
}
