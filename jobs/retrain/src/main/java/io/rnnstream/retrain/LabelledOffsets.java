package io.rnnstream.retrain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Resolves {@link OffsetBound}s to concrete offsets before reading, so that the range read is
 * fixed, reported and remembered, and records produced while the job runs are left for the next
 * run.
 */
final class LabelledOffsets {

    private LabelledOffsets() {}

    static OffsetRange resolve(
            Admin admin,
            String topic,
            OffsetBound from,
            OffsetBound to,
            Map<Integer, Long> remembered)
            throws InterruptedException {
        List<TopicPartition> partitions = partitions(admin, topic);
        Map<Integer, Long> earliest = list(admin, partitions, OffsetSpec.earliest());
        Map<Integer, Long> latest = list(admin, partitions, OffsetSpec.latest());
        Map<Integer, Long> end =
                to.kind() == OffsetBound.Kind.TIMESTAMP
                        ? atTime(admin, partitions, to.timestamp(), latest)
                        : latest;
        Map<Integer, Long> start =
                switch (from.kind()) {
                    case EARLIEST, LATEST ->
                            from.kind() == OffsetBound.Kind.EARLIEST ? earliest : latest;
                    case TIMESTAMP -> atTime(admin, partitions, from.timestamp(), latest);
                    case REMEMBERED -> {
                        Map<Integer, Long> resumed = new HashMap<>(earliest);
                        remembered.forEach(
                                (partition, offset) -> {
                                    if (resumed.containsKey(partition)) {
                                        resumed.put(
                                                partition,
                                                Math.max(earliest.get(partition), offset));
                                    }
                                });
                        yield resumed;
                    }
                };
        Map<Integer, Long> clampedStart = new HashMap<>();
        start.forEach(
                (partition, offset) ->
                        clampedStart.put(partition, Math.min(offset, end.get(partition))));
        return new OffsetRange(topic, clampedStart, end);
    }

    private static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException {
        try {
            TopicDescription description =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return description.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new RetrainException(
                        "topic.labelled: topic '" + topic + "' does not exist on the brokers");
            }
            throw new RetrainException(
                    "cannot describe topic '" + topic + "': " + e.getCause().getMessage(), e);
        }
    }

    private static Map<Integer, Long> list(
            Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        try {
            // read_committed: the latest offset is the last stable one, so an open transaction's
            // records are neither read nor skipped; the next run reads them once committed.
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                    admin.listOffsets(
                                    request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .all()
                            .get();
            Map<Integer, Long> offsets = new HashMap<>();
            result.forEach((p, info) -> offsets.put(p.partition(), info.offset()));
            return offsets;
        } catch (ExecutionException e) {
            throw new RetrainException(
                    "cannot list offsets of the labelled topic: " + e.getCause().getMessage(), e);
        }
    }

    private static Map<Integer, Long> atTime(
            Admin admin, List<TopicPartition> partitions, long millis, Map<Integer, Long> latest)
            throws InterruptedException {
        Map<Integer, Long> offsets = list(admin, partitions, OffsetSpec.forTimestamp(millis));
        // No record at or after the time: the bound is the end of the partition.
        offsets.replaceAll((partition, offset) -> offset < 0 ? latest.get(partition) : offset);
        return offsets;
    }
}
