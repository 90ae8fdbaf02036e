package io.rnnstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.stream.kafka.KafkaClients;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@code promote}, {@code rollback} and {@code retire} need of Kafka: the announcements of a
 * model on the model topic, read to its end in order, and writing an announcement with its decision
 * record to the evaluations topic.
 */
final class ModelTopicClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final String modelsTopic;
    private final String evaluationsTopic;

    ModelTopicClient(String bootstrapServers, String modelsTopic, String evaluationsTopic) {
        this.bootstrapServers = bootstrapServers;
        this.modelsTopic = modelsTopic;
        this.evaluationsTopic = evaluationsTopic;
    }

    /** What the model topic says about one model: its announcements and the serving version. */
    record Announced(String model, List<RoleAnnouncement> all, ModelAnnouncement serving) {

        /** The announced artifact of {@code version}, or a failure naming what is announced. */
        ModelAnnouncement version(long version) {
            return ModelTopicClient.version(all, model, version);
        }

        /** The versions that run as shadows after {@code all}, by the stream's rules. */
        List<Long> shadows() {
            return ModelTopicClient.shadows(all);
        }
    }

    /** The model's announcements, read to the end of the topic, and its serving version. */
    Announced read(String model) {
        List<RoleAnnouncement> all = announcements(model);
        return new Announced(model, all, serving(all));
    }

    /** The model's announcements in the order the stream reads them; unparsable ones skipped. */
    List<RoleAnnouncement> announcements(String model) {
        List<RoleAnnouncement> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.committedReader(bootstrapServers)) {
            List<PartitionInfo> infos = consumer.partitionsFor(modelsTopic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new CliFailure(
                        "--models-topic: topic '"
                                + modelsTopic
                                + "' does not exist on the brokers");
            }
            List<TopicPartition> partitions =
                    infos.stream()
                            .map(p -> new TopicPartition(modelsTopic, p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new CliFailure("could not read topic '" + modelsTopic + "' to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    try {
                        RoleAnnouncement announced = AnnouncementParser.parseRole(record.value());
                        if (announced.version().name().equals(model)) {
                            found.add(announced);
                        }
                    } catch (IllegalArgumentException e) {
                        // the stream refuses it too
                    }
                }
            }
        }
        return found;
    }

    /** The serving version after {@code announcements}, by the stream's rule; null if none. */
    static ModelAnnouncement serving(List<RoleAnnouncement> announcements) {
        ModelAnnouncement serving = null;
        for (RoleAnnouncement a : announcements) {
            if (a.role() == ModelRole.SERVING
                    && (serving == null
                            || a.version().version() > serving.version()
                            || a.rollback())) {
                serving = a.version();
            }
        }
        return serving;
    }

    /**
     * The shadows after {@code announcements}, in the order they were announced, by the stream's
     * rules: a shadow runs from its announcement until it is retired or a version at least as new
     * serves. (The stream also refuses shadows beyond its {@code shadow.max-per-model}, a setting
     * this client does not know; retiring such a one changes nothing there.)
     */
    static List<Long> shadows(List<RoleAnnouncement> announcements) {
        List<Long> shadows = new ArrayList<>();
        List<RoleAnnouncement> seen = new ArrayList<>();
        for (RoleAnnouncement a : announcements) {
            long version = a.version().version();
            ModelAnnouncement serving = serving(seen);
            seen.add(a);
            switch (a.role()) {
                case SHADOW -> {
                    if ((serving == null || version > serving.version())
                            && !shadows.contains(version)) {
                        shadows.add(version);
                    }
                }
                case RETIRED -> shadows.remove(Long.valueOf(version));
                case SERVING -> {
                    ModelAnnouncement now = serving(seen);
                    shadows.removeIf(s -> s <= now.version());
                }
            }
        }
        return shadows;
    }

    /** The announced artifact of {@code version}, or a failure naming what is announced. */
    static ModelAnnouncement version(
            List<RoleAnnouncement> announcements, String model, long version) {
        return announcements.stream()
                .map(RoleAnnouncement::version)
                .filter(a -> a.version() == version)
                .reduce((first, later) -> later)
                .orElseThrow(
                        () ->
                                new CliFailure(
                                        "model "
                                                + model
                                                + " version "
                                                + version
                                                + " was never announced; announced versions: "
                                                + announcements.stream()
                                                        .map(a -> a.version().version())
                                                        .distinct()
                                                        .sorted()
                                                        .toList()));
    }

    /**
     * Announces {@code announced} on the model topic, then records the decision on the evaluations
     * topic; waits for both.
     */
    void announce(RoleAnnouncement announced, String decision, long previousVersion)
            throws Exception {
        ModelAnnouncement version = announced.version();
        ObjectNode record = JSON.createObjectNode();
        record.put("type", "decision");
        record.put("decision", decision);
        record.put("by", "manual");
        record.put("model", version.name());
        record.put("version", version.version());
        record.put("role", announced.role().code());
        record.put("servingVersion", previousVersion);
        record.put("uri", version.uri());
        record.put("time", Instant.now().toString());
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrapServers)) {
            producer.send(
                            new ProducerRecord<>(
                                    modelsTopic,
                                    announced.kafkaKey(),
                                    AnnouncementParser.toJson(announced)))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            producer.send(
                            new ProducerRecord<>(
                                    evaluationsTopic,
                                    version.name().getBytes(StandardCharsets.UTF_8),
                                    JSON.writeValueAsBytes(record)))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
