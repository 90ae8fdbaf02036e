package io.rnnstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.stream.kafka.DeadLetterSerializer;
import io.rnnstream.stream.kafka.KafkaClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Follows a classifications or dead-letter topic and prints each record on one readable line. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Follows a results (classifications) or dead-letter topic as a read_committed consumer"
                    + " and prints one line per record: for a classification the key, sequence,"
                    + " label with its probability, model version, steps and trigger; for a dead"
                    + " letter its reason, message, source offset and the start of the original"
                    + " value. Runs until Ctrl-C, --max records or --idle-timeout."
        })
final class TailCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VALUE_WIDTH = 80;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "classifications",
            description = "Topic to follow (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--from-beginning",
            description = "Start at the oldest record instead of new ones only.")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Integer max;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description = "Stop when no record arrived for this long (default: never).")
    Integer idleTimeout;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max: must be >= 1, was " + max);
        }
        if (idleTimeout != null && idleTimeout < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--idle-timeout: must be >= 1, was " + idleTimeout);
        }
        PrintWriter out = spec.commandLine().getOut();
        int printed = 0;
        String step = "read topic '" + topic + "'";
        Brokers.requireTopic(kafka, topic, step);
        Map<String, Object> settings = new HashMap<>();
        // Fail within --timeout, not the consumer's default minute, when the brokers go away.
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, kafka.timeoutMs());
        settings.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(kafka.timeoutMs(), 30_000));
        settings.putAll(kafka.clientSettings());
        try (KafkaConsumer<byte[], byte[]> consumer =
                KafkaClients.committedReader(kafka.bootstrapServers(), settings)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, kafka.timeout);
            if (infos == null || infos.isEmpty()) {
                throw new CliFailure(
                        "cannot " + step + ": it has no partitions at " + kafka.bootstrapServers());
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            long lastRecordAt = System.nanoTime();
            while (max == null || printed < max) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    out.println(format(record));
                    out.flush();
                    lastRecordAt = System.nanoTime();
                    if (max != null && ++printed >= max) {
                        break;
                    }
                }
                if (idleTimeout != null
                        && System.nanoTime() - lastRecordAt
                                > Duration.ofSeconds(idleTimeout).toNanos()) {
                    break;
                }
            }
        } catch (KafkaException e) {
            throw Brokers.failure(kafka, step, kafka.timeout, e);
        }
        return 0;
    }

    /** One line per record: a dead letter if it has a reason header, else a classification. */
    static String format(ConsumerRecord<byte[], byte[]> record) {
        String time = Instant.ofEpochMilli(record.timestamp()).toString();
        String value =
                record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
        Header reason = record.headers().lastHeader(DeadLetterSerializer.REASON);
        if (reason != null) {
            return String.format(
                    Locale.ROOT,
                    "%s DEAD %-17s %s (from %s-%s@%s) value: %s",
                    time,
                    utf8(reason),
                    utf8(record.headers().lastHeader(DeadLetterSerializer.MESSAGE)),
                    utf8(record.headers().lastHeader(DeadLetterSerializer.SOURCE_TOPIC)),
                    utf8(record.headers().lastHeader(DeadLetterSerializer.SOURCE_PARTITION)),
                    utf8(record.headers().lastHeader(DeadLetterSerializer.SOURCE_OFFSET)),
                    abbreviate(value));
        }
        try {
            JsonNode node = JSON.readTree(value);
            String label = node.path("label").asText();
            return String.format(
                    Locale.ROOT,
                    "%s %-12s %-10s %-12s %.3f  %s v%d  %d steps  %s",
                    time,
                    node.path("key").asText(),
                    node.path("seq").asText(),
                    label,
                    node.path("probabilities").path(label).asDouble(),
                    node.path("model").asText(),
                    node.path("modelVersion").asLong(),
                    node.path("steps").asInt(),
                    node.path("trigger").asText());
        } catch (IOException e) {
            return time + " (not JSON) " + abbreviate(value);
        }
    }

    private static String utf8(Header header) {
        return header == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String value) {
        String line = value.replace('\n', ' ');
        return line.length() <= VALUE_WIDTH ? line : line.substring(0, VALUE_WIDTH - 3) + "...";
    }
}
