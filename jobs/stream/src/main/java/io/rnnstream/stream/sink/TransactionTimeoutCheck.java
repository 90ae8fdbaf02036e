package io.rnnstream.stream.sink;

import io.rnnstream.stream.config.ConfigException;
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
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Refuses to start an exactly-once job whose producer transaction timeout exceeds the broker's
 * {@code transaction.max.timeout.ms}: every transactional producer would fail at start-up, and a
 * message naming both settings beats a stack trace from inside the sink.
 */
public final class TransactionTimeoutCheck {

    private static final String STEP = "read transaction.max.timeout.ms";

    private TransactionTimeoutCheck() {}

    /**
     * @param brokerTimeout how long to wait for the brokers ({@code broker.timeout})
     * @throws ConfigException when the broker allows less than {@code transactionTimeout}
     * @throws BrokerException when the brokers cannot be asked
     */
    public static void check(
            Map<String, Object> adminProperties,
            Duration transactionTimeout,
            Duration brokerTimeout) {
        Object servers = adminProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, brokerTimeout.toMillis());
        Map<String, Object> properties = new HashMap<>(adminProperties);
        // Without these the admin client retries for a minute whatever the call's own timeout.
        properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        properties.putIfAbsent(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        long brokerMax;
        try (Admin admin = Admin.create(properties)) {
            Node node =
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                            .nodes()
                            .get(timeoutMs + BrokerException.GRACE_MS, TimeUnit.MILLISECONDS)
                            .iterator()
                            .next();
            ConfigResource broker =
                    new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(node.id()));
            Config config =
                    admin.describeConfigs(
                                    Set.of(broker),
                                    new DescribeConfigsOptions().timeoutMs(timeoutMs))
                            .all()
                            .get(timeoutMs + BrokerException.GRACE_MS, TimeUnit.MILLISECONDS)
                            .get(broker);
            ConfigEntry entry = config.get("transaction.max.timeout.ms");
            if (entry == null || entry.value() == null) {
                return;
            }
            brokerMax = Long.parseLong(entry.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BrokerException.of(String.valueOf(servers), STEP, brokerTimeout, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw BrokerException.of(String.valueOf(servers), STEP, brokerTimeout, e);
        }
        if (transactionTimeout.toMillis() > brokerMax) {
            throw new ConfigException(
                    "transaction.timeout is "
                            + transactionTimeout.toMillis()
                            + " ms but the broker allows at most "
                            + brokerMax
                            + " ms (transaction.max.timeout.ms); lower transaction.timeout or raise"
                            + " the broker's transaction.max.timeout.ms");
        }
    }
}
