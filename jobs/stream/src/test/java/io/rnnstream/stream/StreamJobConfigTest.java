package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.stream.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamJobConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("bootstrap.servers", "localhost:9092");
        values.put("model.initial.uri", "file:///models/motion/1");
        return values;
    }

    @Test
    void appliesDocumentedDefaults() {
        StreamJobConfig config = StreamJobConfig.fromMap(minimal());
        assertThat(config.eventsTopic()).isEqualTo("events");
        assertThat(config.delivery()).isEqualTo(DeliveryMode.EXACTLY_ONCE);
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.sequenceGap()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsAFileAndLetsArgumentsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stream.properties");
        Files.writeString(
                file,
                "bootstrap.servers=broker:9092\nmodel.default=motion\nsequence.gap=1 min\nkafka.security.protocol=SASL_SSL\n");
        StreamJobConfig config =
                StreamJobConfig.load(
                        file,
                        new String[] {
                            "--sequence.gap", "45 s", "--delivery.guarantee=at-least-once"
                        });
        assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(config.sequenceGap()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.delivery()).isEqualTo(DeliveryMode.AT_LEAST_ONCE);
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void aJobsMainArgumentsNameTheFileInEitherFormAndOverrideIt(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("stream.properties");
        Files.writeString(file, "bootstrap.servers=broker:9092\nmodel.default=motion\n");
        for (String[] args :
                new String[][] {
                    {"--config", file.toString(), "--sequence.gap", "45 s"},
                    {"--sequence.gap=45 s", "--config=" + file}
                }) {
            StreamJobConfig config = StreamJobConfig.fromMap(Settings.fromJobArguments(args));
            assertThat(config.bootstrapServers()).isEqualTo("broker:9092");
            assertThat(config.sequenceGap()).isEqualTo(Duration.ofSeconds(45));
        }
    }

    @Test
    void namesTheSettingThatIsWrong() {
        Map<String, String> unknown = minimal();
        unknown.put("sequence.gapp", "1 s");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(unknown))
                .hasMessageContaining("unknown setting 'sequence.gapp'");

        Map<String, String> badDuration = minimal();
        badDuration.put("sequence.gap", "soon");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(badDuration))
                .hasMessageContaining("sequence.gap")
                .hasMessageContaining("'soon'");

        Map<String, String> noBroker = minimal();
        noBroker.remove("bootstrap.servers");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(noBroker))
                .hasMessageStartingWith("bootstrap.servers is required");

        Map<String, String> badDelivery = minimal();
        badDelivery.put("delivery.guarantee", "maybe");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(badDelivery))
                .hasMessageContaining("delivery.guarantee");

        Map<String, String> noModel = minimal();
        noModel.remove("model.initial.uri");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(noModel))
                .hasMessageContaining("model.initial.uri");
    }

    @Test
    void refusesATransactionTimeoutThatCannotOutliveACheckpoint() {
        Map<String, String> values = minimal();
        values.put("checkpoint.interval", "10 min");
        values.put("transaction.timeout", "15 min");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(values))
                .hasMessageContaining("transaction.timeout")
                .hasMessageContaining("checkpoint.interval");
    }

    @Test
    void refusesSharedTopics() {
        Map<String, String> values = minimal();
        values.put("topic.results", "events");
        assertThatThrownBy(() -> StreamJobConfig.fromMap(values))
                .hasMessageContaining("must be different topics")
                .hasMessageContaining("topic.shadow-results");
    }
}
