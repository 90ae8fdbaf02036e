package io.rnnstream.cli;

import io.rnnstream.core.data.DataFormat;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.demo.DemoEvents;
import io.rnnstream.demo.DemoException;
import io.rnnstream.demo.Replay;
import io.rnnstream.stream.kafka.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Sends a labelled data file to a Kafka topic as streaming events, one event per step. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {
            "Sends every sequence of a data file to a Kafka topic in the streaming job's event"
                    + " format: one event per frame (features) or word (token), the sequences of"
                    + " --keys keys interleaved, event time = the wall clock when sent, 'end' on"
                    + " each sequence's last event.",
            "With --labelled the last event also carries the label (the retraining job's input)."
        })
final class ProduceCommand implements Callable<Integer> {

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "Labelled data (.ts, .jsonl, or a VADER ground-truth file).")
    Path data;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description =
                    "ts, vader or jsonl; by default told from the name (.ts, .jsonl) or, for VADER,"
                            + " the first line; a file it cannot tell is refused.")
    DataFormat format;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "events",
            description = "Topic to send to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "Model name put on every event (default: none, the job's default model).")
    String model;

    @Option(
            names = "--keys",
            defaultValue = "16",
            description =
                    "Number of entity keys the sequences are spread over (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(
            names = "--key-prefix",
            defaultValue = "key-",
            description = "Keys are this prefix plus a number (default: ${DEFAULT-VALUE}).")
    String keyPrefix;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS_PER_S",
            defaultValue = "1000",
            description =
                    "At most this many events per second; 0: as fast as possible (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--limit", paramLabel = "N", description = "Send only the first N sequences.")
    Integer limit;

    @Option(names = "--labelled", description = "Put each sequence's label on its last event.")
    boolean labelled;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (rate < 0) {
            throw new ParameterException(spec.commandLine(), "--rate: must be >= 0, was " + rate);
        }
        if (keys < 1) {
            throw new ParameterException(spec.commandLine(), "--keys: must be >= 1, was " + keys);
        }
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit: must be >= 1, was " + limit);
        }
        if (!Files.isRegularFile(data)) {
            throw new CliFailure("--data: no such file: " + data);
        }
        Dataset dataset = DataFiles.read(data, DataFiles.format(data, format, "--data"));
        int count = limit == null ? dataset.size() : Math.min(limit, dataset.size());
        DemoEvents events = new DemoEvents();
        for (int i = 0; i < count; i++) {
            events.add(
                    new DemoEvents.Planned(
                            model, keyPrefix + (i % keys), "s" + i, dataset.sequences().get(i)));
        }
        String step = "send to topic '" + topic + "'";
        Brokers.requireTopic(kafka, topic, step);
        Map<String, Object> settings = new HashMap<>();
        // Fail within --timeout, not the producer's default minute, when the brokers go away.
        int timeoutMs = kafka.timeoutMs();
        int requestMs = Math.min(timeoutMs, 30_000);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestMs);
        settings.put(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, requestMs + 1_000));
        settings.putAll(kafka.clientSettings());
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                KafkaClients.producer(kafka.bootstrapServers(), settings)) {
            Replay replay = new Replay(producer, topic, rate, System.currentTimeMillis());
            replay.send(events.interleaved(), labelled);
            double seconds = (System.nanoTime() - started) / 1e9;
            spec.commandLine()
                    .getOut()
                    .printf(
                            "sent %d events of %d sequences to %s in %.1f s%n",
                            replay.sent(), count, topic, seconds);
        } catch (KafkaException e) {
            throw Brokers.failure(kafka, step, kafka.timeout, e);
        } catch (DemoException e) {
            throw Brokers.failure(
                    kafka, step, kafka.timeout, e.getCause() != null ? e.getCause() : e);
        }
        return 0;
    }
}
