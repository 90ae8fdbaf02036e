package io.rnnstream.cli;

import io.rnnstream.stream.topics.BrokerException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaException;

/**
 * The first conversation of a client command with the brokers: it lists the topics within {@code
 * --timeout}, so that an unreachable broker, refused credentials or a missing topic fail at once
 * with one line, before a producer or consumer waits on metadata it will never get (and a producer
 * would have the broker create a misspelt topic).
 */
final class Brokers {

    private Brokers() {}

    /** Fails with a {@link CliFailure} naming the brokers, the step and the cause. */
    static void requireTopic(KafkaOptions kafka, String topic, String step) {
        String servers = kafka.bootstrapServers();
        Set<String> topics = topics(kafka, step);
        if (!topics.contains(topic)) {
            throw new CliFailure(
                    "cannot "
                            + step
                            + ": topic '"
                            + topic
                            + "' does not exist at "
                            + servers
                            + "; create it with 'rnnstream topics create --config FILE' or"
                            + " Kafka's kafka-topics.sh --create");
        }
    }

    /** The names of the topics; {@code step} says what for in a failure. */
    static Set<String> topics(KafkaOptions kafka, String step) {
        Duration timeout = kafka.timeout;
        Map<String, Object> properties = admin(kafka);
        try (Admin admin = Admin.create(properties)) {
            return admin.listTopics(new ListTopicsOptions().timeoutMs(kafka.timeoutMs()))
                    .names()
                    .get(kafka.timeoutMs() + BrokerException.GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(kafka, step, timeout, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw failure(kafka, step, timeout, e);
        }
    }

    /** Admin client settings: the command's, with its timeout for every call. */
    static Map<String, Object> admin(KafkaOptions kafka) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, kafka.timeoutMs());
        properties.put(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(kafka.timeoutMs(), 30_000));
        properties.putAll(kafka.clientProperties());
        return properties;
    }

    static CliFailure failure(KafkaOptions kafka, String step, Duration timeout, Throwable e) {
        return new CliFailure(
                BrokerException.of(kafka.bootstrapServers(), step, timeout, e).getMessage());
    }
}
