package io.rnnstream.retrain;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.kafka.RawRecordDeserializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.common.TopicPartition;

/**
 * The Flink batch job that reads a fixed offset range of the labelled topic and assembles its
 * events into sequences, returning every outcome (usable sequences and problems) to the caller.
 */
final class LabelledEventsReader {

    /** Same cap as the streaming job's default {@code events.max-bytes}. */
    static final int MAX_RECORD_BYTES = 1 << 20;

    static final String SOURCE_UID = "kafka-labelled-events";
    static final String PARSE_UID = "parse-labelled-events";
    static final String ASSEMBLE_UID = "assemble-sequences";

    private LabelledEventsReader() {}

    static List<AssembledSequence> read(
            StreamExecutionEnvironment env, RetrainConfig config, OffsetRange range)
            throws Exception {
        if (range.offsets() == 0) {
            return List.of();
        }
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        if (config.parallelism() > 0) {
            env.setParallelism(config.parallelism());
        }
        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        range.start().forEach((p, o) -> start.put(new TopicPartition(range.topic(), p), o));
        range.end().forEach((p, o) -> end.put(new TopicPartition(range.topic(), p), o));
        KafkaSourceBuilder<RawRecord> builder =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(config.bootstrapServers())
                        .setPartitions(new HashSet<>(start.keySet()))
                        .setStartingOffsets(OffsetsInitializer.offsets(start))
                        .setBounded(OffsetsInitializer.offsets(end))
                        .setDeserializer(new RawRecordDeserializer())
                        .setGroupId("rnnstream-retrain-" + config.modelName());
        config.kafkaProperties().forEach(builder::setProperty);
        builder.setProperty("isolation.level", "read_committed");
        builder.setProperty("commit.offsets.on.checkpoint", "false");

        SingleOutputStreamOperator<LabelledStep> steps =
                env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "labelled events")
                        .uid(SOURCE_UID)
                        .process(new ParseLabelledEvents(MAX_RECORD_BYTES))
                        .uid(PARSE_UID)
                        .name("parse labelled events");
        DataStream<AssembledSequence> sequences =
                steps.keyBy(LabelledStep::key, Types.STRING)
                        .window(GlobalWindows.createWithEndOfStreamTrigger())
                        .process(new SequenceAssembler())
                        .uid(ASSEMBLE_UID)
                        .name("assemble sequences");
        List<AssembledSequence> outcomes = new ArrayList<>();
        try (CloseableIterator<AssembledSequence> results =
                sequences
                        .union(steps.getSideOutput(ParseLabelledEvents.PROBLEMS))
                        .executeAndCollect("rnnstream retrain: read " + range.encode())) {
            results.forEachRemaining(outcomes::add);
        }
        return outcomes;
    }
}
