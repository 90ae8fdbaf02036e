package io.rnnstream.stream.sink;

import io.rnnstream.stream.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Refuses to start an exactly-once job whose producer transaction timeout exceeds the broker's
 * {@code transaction.max.timeout.ms}: every transactional producer would fail at start-up, and a
 * message naming both settings beats a stack trace from inside the sink.
 */
public final class TransactionTimeoutCheck {

    private TransactionTimeoutCheck() {}

    public static void check(Map<String, Object> adminProperties, Duration transactionTimeout) {
        try (Admin admin = Admin.create(adminProperties)) {
            Node node =
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(30_000))
                            .nodes()
                            .get(30, TimeUnit.SECONDS)
                            .iterator()
                            .next();
            ConfigResource broker =
                    new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(node.id()));
            Config config =
                    admin.describeConfigs(Set.of(broker))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .get(broker);
            ConfigEntry entry = config.get("transaction.max.timeout.ms");
            if (entry == null || entry.value() == null) {
                return;
            }
            long brokerMax = Long.parseLong(entry.value());
            if (transactionTimeout.toMillis() > brokerMax) {
                throw new ConfigException(
                        "transaction.timeout is "
                                + transactionTimeout.toMillis()
                                + " ms but the broker allows at most "
                                + brokerMax
                                + " ms (transaction.max.timeout.ms); lower transaction.timeout or raise the broker's transaction.max.timeout.ms");
            }
        } catch (ConfigException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException(
                    "interrupted while checking the broker's transaction.max.timeout.ms", e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AuthenticationException) {
                // The first place a wrong password shows: say so, not "cannot read a setting".
                throw new ConfigException(
                        "the brokers at "
                                + adminProperties.get("bootstrap.servers")
                                + " refused the client's credentials (check kafka.sasl.jaas.config,"
                                + " kafka.sasl.mechanism and kafka.security.protocol): "
                                + cause.getMessage(),
                        e);
            }
            throw new ConfigException(
                    "cannot read transaction.max.timeout.ms from the brokers at "
                            + adminProperties.get("bootstrap.servers")
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
