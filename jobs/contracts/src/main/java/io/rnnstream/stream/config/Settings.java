package io.rnnstream.stream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/**
 * The settings of a job, read through Flink's {@link Configuration} with the job's typed {@link
 * ConfigOption}s (key, type, default, description), validated with messages that name the setting.
 * Values come from a properties file and {@code --key value} / {@code --key=value} arguments
 * (arguments win; a blank value means the default). Keys starting with {@code kafka.} are collected
 * separately and passed to the Kafka clients without the prefix.
 */
public final class Settings {

    private final Map<String, String> raw;
    private final Map<String, ConfigOption<?>> known;
    private final Configuration configuration;

    private Settings(
            Map<String, String> raw,
            Map<String, ConfigOption<?>> known,
            Configuration configuration) {
        this.raw = raw;
        this.known = known;
        this.configuration = configuration;
    }

    /**
     * Checks every key against the job's {@code options}; {@code kafka.*} keys and {@code config}
     * are always allowed.
     */
    public static Settings of(Map<String, String> raw, List<ConfigOption<?>> options) {
        Map<String, ConfigOption<?>> known = new LinkedHashMap<>();
        options.forEach(option -> known.put(option.key(), option));
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, String> entry : raw.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith("kafka.") && !known.containsKey(key) && !key.equals("config")) {
                throw new ConfigException(
                        "unknown setting '"
                                + key
                                + "'; known settings are "
                                + known.keySet()
                                + " and kafka.*");
            }
            if (known.containsKey(key) && !entry.getValue().isBlank()) {
                values.put(key, entry.getValue().strip());
            }
        }
        return new Settings(Map.copyOf(raw), known, Configuration.fromMap(values));
    }

    /** Reads a properties file (may be null), then applies the argument overrides. */
    public static Map<String, String> read(Path file, String[] args) {
        return read(file, arguments(args));
    }

    /**
     * The settings of a job's {@code main} arguments, as {@code flink run} passes them: the file of
     * an optional {@code --config FILE} (or {@code --config=FILE}) first, every other {@code --key
     * value} argument over it.
     */
    public static Map<String, String> fromJobArguments(String[] args) {
        Map<String, String> arguments = arguments(args);
        String file = arguments.remove("config");
        return read(file == null ? null : Path.of(file), arguments);
    }

    private static Map<String, String> read(Path file, Map<String, String> arguments) {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException(
                        "cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> values = new TreeMap<>();
        properties.forEach((k, v) -> values.put(k.toString().strip(), v.toString().strip()));
        refuseSecretsInArguments(arguments);
        values.putAll(arguments);
        return values;
    }

    /**
     * Command-line arguments show in process lists, shell histories and Flink's client logs, so a
     * Kafka setting of type password (SASL JAAS config, key store passwords, ...) must come from
     * the configuration file or a Kafka config provider reference such as {@code
     * ${file:/etc/kafka/secrets.properties:password}}. The message names the setting, never its
     * value.
     */
    static void refuseSecretsInArguments(Map<String, String> arguments) {
        for (Map.Entry<String, String> argument : arguments.entrySet()) {
            String key = argument.getKey();
            if (key.startsWith("kafka.")
                    && KafkaSecrets.isSecret(key.substring("kafka.".length()))
                    && !argument.getValue().contains("${")) {
                throw new ConfigException(
                        key
                                + " is a secret and must not be given as a command-line argument;"
                                + " put it in the --config file or reference a Kafka config"
                                + " provider (kafka.config.providers), e.g. ${file:/path:key}");
            }
        }
    }

    static Map<String, String> arguments(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new ConfigException(
                        "unexpected argument '" + arg + "'; expected --key value");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                values.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(body, args[++i]);
            } else {
                throw new ConfigException("argument --" + body + " has no value");
            }
        }
        return values;
    }

    /** The {@code kafka.*} settings without their prefix. */
    public Map<String, String> kafkaProperties() {
        Map<String, String> kafka = new TreeMap<>();
        raw.forEach(
                (key, value) -> {
                    if (key.startsWith("kafka.")) {
                        kafka.put(key.substring("kafka.".length()), value);
                    }
                });
        return Map.copyOf(kafka);
    }

    /** The value, or the default; {@code ""} when there is neither. */
    public String get(ConfigOption<String> option) {
        String value = read(option, "a text");
        return value == null ? "" : value;
    }

    /** The value, or the default; {@code null} when there is neither. */
    public String optional(ConfigOption<String> option) {
        String value = get(option);
        return value.isEmpty() ? null : value;
    }

    public String required(ConfigOption<String> option) {
        String value = get(option);
        if (value.isEmpty()) {
            throw new ConfigException(option.key() + " is required: " + describe(option));
        }
        return value;
    }

    public Duration duration(ConfigOption<Duration> option) {
        Duration d = read(option, "a duration such as '30 s' or '5 min'");
        if (d.isNegative()) {
            throw new ConfigException(
                    option.key()
                            + ": expected a non-negative duration, got '"
                            + text(option)
                            + "'");
        }
        return d;
    }

    public int positiveInt(ConfigOption<Integer> option) {
        int value = read(option, "an integer");
        if (value < 1) {
            throw new ConfigException(option.key() + ": expected a positive integer, got " + value);
        }
        return value;
    }

    public int nonNegativeInt(ConfigOption<Integer> option) {
        int value = read(option, "an integer");
        if (value < 0) {
            throw new ConfigException(option.key() + ": expected an integer >= 0, got " + value);
        }
        return value;
    }

    public long longInt(ConfigOption<Long> option) {
        return read(option, "an integer");
    }

    /** A number in [min, max]. */
    public double number(ConfigOption<Double> option, double min, double max) {
        double value = read(option, "a number");
        if (!(value >= min && value <= max)) {
            throw new ConfigException(
                    option.key()
                            + ": expected a number from "
                            + min
                            + " to "
                            + max
                            + ", got "
                            + text(option));
        }
        return value;
    }

    public boolean bool(ConfigOption<Boolean> option) {
        return read(option, "true or false");
    }

    /** The description of {@code option} as plain text (what {@code withDescription} was given). */
    public static String describe(ConfigOption<?> option) {
        return option.description().getBlocks().stream()
                .map(
                        block ->
                                block instanceof TextElement text
                                        ? text.getFormat()
                                        : block.toString())
                .reduce("", String::concat);
    }

    /** The default of {@code option} as a setting would be written; {@code ""} when none. */
    public static String defaultText(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "";
        }
        Object value = option.defaultValue();
        return value instanceof Duration d ? TimeUtils.formatWithHighestUnit(d) : value.toString();
    }

    /** Flink's {@link Configuration} parses; a value it cannot read fails naming the setting. */
    private <T> T read(ConfigOption<T> option, String expected) {
        if (known.get(option.key()) != option) {
            throw new IllegalArgumentException("not a setting of this job: " + option.key());
        }
        try {
            return configuration.get(option);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    option.key() + ": expected " + expected + ", got '" + text(option) + "'", e);
        }
    }

    /** What was given for {@code option}, or its default. */
    private String text(ConfigOption<?> option) {
        String value = raw.get(option.key());
        return value == null || value.isBlank() ? defaultText(option) : value.strip();
    }
}
