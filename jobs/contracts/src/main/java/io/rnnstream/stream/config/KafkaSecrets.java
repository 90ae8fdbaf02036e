package io.rnnstream.stream.config;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Which Kafka client settings hold secrets: those Kafka itself types as passwords. */
public final class KafkaSecrets {

    private static final Set<String> SECRET_KEYS =
            Stream.of(
                            ProducerConfig.configDef(),
                            ConsumerConfig.configDef(),
                            AdminClientConfig.configDef())
                    .flatMap(def -> def.configKeys().values().stream())
                    .filter(key -> key.type == ConfigDef.Type.PASSWORD)
                    .map(key -> key.name)
                    .collect(Collectors.toUnmodifiableSet());

    private KafkaSecrets() {}

    /** Whether Kafka types {@code kafkaKey} (a client setting without prefix) as a password. */
    public static boolean isSecret(String kafkaKey) {
        return SECRET_KEYS.contains(kafkaKey);
    }
}
