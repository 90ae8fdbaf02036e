package io.rnnstream.stream.topics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks that a job's topics exist and creates the missing ones, through Kafka's admin client.
 * Every call waits at most {@link TopicSettings#brokerTimeout()} and fails with a {@link
 * BrokerException} that names the brokers and the step.
 */
public final class KafkaTopics {

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(KafkaTopics.class);

    private final Map<String, Object> adminProperties;
    private final TopicSettings settings;

    /**
     * @param kafkaProperties the job's Kafka client settings (security, ...), without prefix
     * @param bootstrapServers the brokers
     */
    public KafkaTopics(
            Map<String, ?> kafkaProperties, String bootstrapServers, TopicSettings settings) {
        Map<String, Object> properties = new HashMap<>(kafkaProperties);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.brokerTimeout().toMillis());
        // Without these the admin client retries for a minute whatever the call's own timeout.
        properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        properties.putIfAbsent(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        this.adminProperties = properties;
        this.settings = settings;
    }

    /** The topics of {@code wanted} that do not exist, in their order. */
    public List<TopicSpec> missing(List<TopicSpec> wanted) {
        try (Admin admin = admin("list topics")) {
            Set<String> existing = existing(admin);
            return wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        }
    }

    /**
     * Creates the topics of {@code wanted} that do not exist and returns those it created; one that
     * another client creates meanwhile counts as existing.
     */
    public List<TopicSpec> createMissing(List<TopicSpec> wanted) {
        try (Admin admin = admin("create topics")) {
            Set<String> existing = existing(admin);
            List<TopicSpec> created = new ArrayList<>();
            for (TopicSpec topic : wanted) {
                if (!existing.contains(topic.name()) && create(admin, topic)) {
                    created.add(topic);
                }
            }
            awaitVisible(admin, created.stream().map(TopicSpec::name).toList());
            return created;
        }
    }

    /**
     * What a job does at start-up: with {@code topics.create} the missing topics are created,
     * otherwise a missing topic stops the job with a {@link MissingTopicsException}.
     */
    public List<TopicSpec> ensure(List<TopicSpec> wanted) {
        if (settings.create()) {
            List<TopicSpec> created = createMissing(wanted);
            created.forEach(
                    t ->
                            LOG.info(
                                    "created topic '{}' ({}){}",
                                    t.name(),
                                    t.setting(),
                                    t.compacted() ? ", compacted" : ""));
            return created;
        }
        List<TopicSpec> missing = missing(wanted);
        if (!missing.isEmpty()) {
            throw new MissingTopicsException(bootstrapServers(), missing);
        }
        return List.of();
    }

    /** The topic as it would be created: partitions, replicas and the compaction setting. */
    public NewTopic newTopic(TopicSpec topic) {
        Optional<Integer> partitions = Optional.of(topic.compacted() ? 1 : settings.partitions());
        Optional<Short> replicas =
                settings.replicationFactor() == 0
                        ? Optional.empty()
                        : Optional.of((short) settings.replicationFactor());
        NewTopic newTopic = new NewTopic(topic.name(), partitions, replicas);
        if (topic.compacted()) {
            newTopic.configs(
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        return newTopic;
    }

    private boolean create(Admin admin, TopicSpec topic) {
        String step = "create topic '" + topic.name() + "' (" + topic.setting() + ")";
        try {
            await(
                    admin.createTopics(
                                    List.of(newTopic(topic)),
                                    new CreateTopicsOptions().timeoutMs(timeoutMs()))
                            .all(),
                    step);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw failure(step, e);
        }
    }

    /**
     * Waits until the brokers describe the new topics: the controller confirms a creation before
     * every broker's metadata has it, and a source started in that gap fails on an unknown topic.
     */
    private void awaitVisible(Admin admin, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        String step = "wait for the created topics " + names + " to appear";
        long deadline = System.nanoTime() + settings.brokerTimeout().toNanos();
        while (true) {
            try {
                await(
                        admin.describeTopics(
                                        names, new DescribeTopicsOptions().timeoutMs(timeoutMs()))
                                .allTopicNames(),
                        step);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw failure(step, e);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure(step, e);
            }
        }
    }

    private Set<String> existing(Admin admin) {
        try {
            return await(
                    admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs())).names(),
                    "list topics");
        } catch (ExecutionException e) {
            throw failure("list topics", e);
        }
    }

    /**
     * Waits for an admin call a little longer than its own timeout, so that Kafka's error arrives
     * first; an {@link ExecutionException} is the caller's, whose cause may be expected.
     */
    private <T> T await(KafkaFuture<T> future, String step) throws ExecutionException {
        try {
            return future.get(timeoutMs() + BrokerException.GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw failure(step, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(step, e);
        }
    }

    private Admin admin(String step) {
        try {
            return Admin.create(adminProperties);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw failure(step, e);
        }
    }

    private BrokerException failure(String step, Throwable e) {
        return BrokerException.of(bootstrapServers(), step, settings.brokerTimeout(), e);
    }

    private int timeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, settings.brokerTimeout().toMillis());
    }

    private String bootstrapServers() {
        return String.valueOf(adminProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }
}
