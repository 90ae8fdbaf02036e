package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.testing.ClassifierTestJob;
import io.rnnstream.stream.testing.OfflineReplay;
import io.rnnstream.stream.topics.MissingTopicsException;
import io.rnnstream.stream.topics.TopicSpec;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream job's start-up topic check on a real broker: a missing topic stops it before anything
 * is submitted, with one line that names the topic and how to create it; with {@code topics.create}
 * it creates them (models compacted) and then classifies on the Flink MiniCluster.
 */
class TopicsAtStartITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    @TempDir static Path models;
    private static Dataset vowels;
    private static TestModels.Written model;

    @BeforeAll
    static void prepare() throws Exception {
        vowels = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TEST.ts"));
        model =
                TestModels.featureModel(
                        models.resolve("vowels-1"), "vowels", 1, 7, CellType.LSTM, 8, vowels);
    }

    @Test
    void aMissingTopicStopsTheJobWithOneLineNamingItAndTheCommandThatCreatesIt() throws Exception {
        String prefix = "absent";
        KAFKA.createTopic(prefix + "-events", 1);
        KAFKA.createTopic(prefix + "-results", 1);
        ClassifierJob job = job(prefix, Map.of());

        assertThatThrownBy(job::checkBroker)
                .isInstanceOf(MissingTopicsException.class)
                .hasMessage(
                        "topics 'absent-dead-letters' (topic.dead-letters), 'absent-models'"
                                + " (topic.models), 'absent-shadow-results'"
                                + " (topic.shadow-results) do not exist at "
                                + KAFKA.bootstrapServers()
                                + "; create them with 'rnnstream topics create --config <this"
                                + " job's settings file>' or start the job with"
                                + " topics.create=true");
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get())
                    .as("checking creates nothing")
                    .doesNotContain(prefix + "-dead-letters", prefix + "-models");
        }
    }

    @Test
    void withoutShadowsTheShadowTopicIsNotRequired() throws Exception {
        String prefix = "unshadowed";
        for (String topic : List.of("events", "results", "dead-letters")) {
            KAFKA.createTopic(prefix + "-" + topic, 1);
        }
        KAFKA.createTopic(prefix + "-models", 1, Map.of("cleanup.policy", "compact"));

        assertThat(job(prefix, Map.of("shadow.max-per-model", "0")).checkBroker()).isEmpty();
        assertThatThrownBy(job(prefix, Map.of())::checkBroker)
                .isInstanceOf(MissingTopicsException.class)
                .hasMessageStartingWith(
                        "topic 'unshadowed-shadow-results' (topic.shadow-results) does not exist");
    }

    @Test
    void withTopicsCreateTheJobCreatesItsTopicsAndClassifies() throws Exception {
        String prefix = "fresh";
        Map<String, String> settings =
                settings(
                        prefix,
                        Map.of(
                                "topics.create", "true",
                                "topics.partitions", "3",
                                "topics.replication-factor", "1"));

        JobClient job = ClassifierTestJob.start(settings, null);
        try {
            try (Admin admin = admin()) {
                Map<String, TopicDescription> topics =
                        admin.describeTopics(
                                        List.of(
                                                prefix + "-events",
                                                prefix + "-results",
                                                prefix + "-dead-letters",
                                                prefix + "-models",
                                                prefix + "-shadow-results"))
                                .allTopicNames()
                                .get();
                assertThat(topics.get(prefix + "-events").partitions()).hasSize(3);
                assertThat(topics.get(prefix + "-dead-letters").partitions()).hasSize(3);
                assertThat(topics.get(prefix + "-models").partitions()).hasSize(1);
                assertThat(topics.get(prefix + "-shadow-results").partitions()).hasSize(3);
                assertThat(cleanupPolicy(admin, prefix + "-models")).isEqualTo("compact");
                assertThat(cleanupPolicy(admin, prefix + "-results")).isEqualTo("delete");
            }
            EventScript script = new EventScript(prefix + "-events");
            for (int i = 0; i < 6; i++) {
                script.add("speaker-" + i, "s" + i, vowels.sequences().get(i));
            }
            KAFKA.produce(script.records(System.currentTimeMillis()));
            List<Results.Result> results =
                    Results.readCommitted(
                            KAFKA,
                            prefix,
                            model.classifier().spec().labels(),
                            script.planned().size());
            OfflineReplay.assertExact(script, results, model.classifier(), 1);
        } finally {
            job.cancel().get();
        }
        assertThat(job(prefix, Map.of("topics.create", "true")).checkBroker())
                .as("a second start finds every topic")
                .isEmpty();
    }

    @Test
    void creatingIsIdempotentAndCreatesOnlyWhatIsMissing() throws Exception {
        String prefix = "partial";
        KAFKA.createTopic(prefix + "-events", 2);

        List<TopicSpec> created = job(prefix, Map.of("topics.create", "true")).checkBroker();

        assertThat(created)
                .extracting(TopicSpec::name)
                .containsExactly(
                        prefix + "-results",
                        prefix + "-dead-letters",
                        prefix + "-models",
                        prefix + "-shadow-results");
        try (Admin admin = admin()) {
            assertThat(
                            admin.describeTopics(Set.of(prefix + "-events"))
                                    .allTopicNames()
                                    .get()
                                    .get(prefix + "-events")
                                    .partitions())
                    .as("an existing topic is left as it is")
                    .hasSize(2);
        }
    }

    private static ClassifierJob job(String prefix, Map<String, String> overrides) {
        return new ClassifierJob(
                StreamJobConfig.fromMap(settings(prefix, overrides)), new ModelLoader());
    }

    private static Map<String, String> settings(String prefix, Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(overrides);
        all.put("model.initial.uri", model.announcement().uri());
        all.put("broker.timeout", "20 s");
        return StreamTestJob.settings(KAFKA, prefix, all);
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()));
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
        return config.get("cleanup.policy").value();
    }
}
