package io.rnnstream.stream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.util.TimeUtils;

/**
 * Raw {@code key=value} settings of a job with typed, validating accessors. Values come from a
 * properties file and {@code --key value} / {@code --key=value} arguments (arguments win); defaults
 * and meanings come from the job's table of known keys. Keys starting with {@code kafka.} are
 * collected separately and passed to the Kafka clients without the prefix.
 */
public final class Settings {

    private final Map<String, String> raw;
    private final Map<String, String[]> known;

    private Settings(Map<String, String> raw, Map<String, String[]> known) {
        this.raw = raw;
        this.known = known;
    }

    /**
     * Checks every key against {@code known} (key to {default, meaning}); {@code kafka.*} keys and
     * {@code config} are always allowed.
     */
    public static Settings of(Map<String, String> raw, Map<String, String[]> known) {
        for (String key : raw.keySet()) {
            if (!key.startsWith("kafka.") && !known.containsKey(key) && !key.equals("config")) {
                throw new ConfigException(
                        "unknown setting '"
                                + key
                                + "'; known settings are "
                                + known.keySet()
                                + " and kafka.*");
            }
        }
        return new Settings(Map.copyOf(raw), known);
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

    public String get(String key) {
        String value = raw.get(key);
        return value == null || value.isBlank() ? meta(key)[0] : value.strip();
    }

    public String optional(String key) {
        String value = get(key);
        return value.isEmpty() ? null : value;
    }

    public String required(String key) {
        String value = get(key);
        if (value.isEmpty()) {
            throw new ConfigException(key + " is required: " + meta(key)[1]);
        }
        return value;
    }

    public Duration duration(String key) {
        String text = get(key);
        try {
            Duration d = TimeUtils.parseDuration(text);
            if (d.isNegative()) {
                throw new ConfigException(
                        key + ": expected a non-negative duration, got '" + text + "'");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    key + ": expected a duration such as '30 s' or '5 min', got '" + text + "'", e);
        }
    }

    public int positiveInt(String key) {
        int value = integer(key);
        if (value < 1) {
            throw new ConfigException(key + ": expected a positive integer, got " + value);
        }
        return value;
    }

    public int nonNegativeInt(String key) {
        int value = integer(key);
        if (value < 0) {
            throw new ConfigException(key + ": expected an integer >= 0, got " + value);
        }
        return value;
    }

    /** A number in [min, max]. */
    public double number(String key, double min, double max) {
        String text = get(key);
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected a number, got '" + text + "'", e);
        }
        if (!(value >= min && value <= max)) {
            throw new ConfigException(
                    key + ": expected a number from " + min + " to " + max + ", got " + text);
        }
        return value;
    }

    public boolean bool(String key) {
        String text = get(key);
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key + ": expected true or false, got '" + text + "'");
    }

    private int integer(String key) {
        String text = get(key);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": expected an integer, got '" + text + "'", e);
        }
    }

    private String[] meta(String key) {
        String[] meta = known.get(key);
        if (meta == null) {
            throw new IllegalArgumentException("no such setting: " + key);
        }
        return meta;
    }
}
