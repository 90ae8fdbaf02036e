package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.topics.MissingTopicsException;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The retraining job's start-up topic check on a real broker and the Flink MiniCluster. */
class RetrainTopicsITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir static Path store;

    @Test
    void aMissingTopicStopsTheRunBeforeReadingAnything() {
        RetrainJob job = job("gone", Map.of());

        assertThatThrownBy(() -> job.run(StreamExecutionEnvironment.getExecutionEnvironment()))
                .isInstanceOf(MissingTopicsException.class)
                .hasMessageStartingWith(
                        "topics 'gone-labelled' (topic.labelled), 'gone-models' (topic.models) do"
                                + " not exist at "
                                + KAFKA.bootstrapServers())
                .hasMessageContaining("rnnstream topics create --config");
    }

    @Test
    void withTopicsCreateTheRunCreatesThemAndCompletesWithoutData() throws Exception {
        RetrainReport report =
                job(
                                "made",
                                // A first version, so that the run gets past the gate to the data.
                                Map.of(
                                        "topics.create",
                                        "true",
                                        "topics.partitions",
                                        "2",
                                        "gate.first-version",
                                        "true"))
                        .run(StreamExecutionEnvironment.getExecutionEnvironment());

        assertThat(report.decision()).isEqualTo(RetrainReport.Decision.NOT_ENOUGH_DATA);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            assertThat(
                            admin.describeTopics(Set.of("made-labelled"))
                                    .allTopicNames()
                                    .get()
                                    .get("made-labelled")
                                    .partitions())
                    .hasSize(2);
            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, "made-models");
            assertThat(
                            admin.describeConfigs(Set.of(models))
                                    .all()
                                    .get()
                                    .get(models)
                                    .get("cleanup.policy")
                                    .value())
                    .isEqualTo("compact");
        }
    }

    private static RetrainJob job(String prefix, Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put("bootstrap.servers", KAFKA.bootstrapServers());
        settings.put("topic.labelled", prefix + "-labelled");
        settings.put("topic.models", prefix + "-models");
        settings.put("model.name", "vowels");
        settings.put("model.store", store.resolve(prefix).toUri().toString());
        settings.put("report.file", store.resolve(prefix + "-report.json").toString());
        settings.put("parallelism", "1");
        return new RetrainJob(RetrainConfig.fromMap(settings), e -> {});
    }
}
