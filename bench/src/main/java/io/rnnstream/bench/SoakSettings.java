package io.rnnstream.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a soak run was asked to do: how long, the job jar, the seed of the fault schedule and the
 * load, the event rate, the number of keys and of faults.
 *
 * @param minutes how long the steady load runs (longer when the last fault's recovery needs it)
 * @param jobJar the shipped stream job jar
 * @param seed seeds the fault schedule, the keys' draws and the model versions' weights
 * @param eventsPerSecond the steady load's fixed rate
 * @param keys how many keys the load spreads over
 * @param faults how many faults strike
 * @param jobSettings stream job settings that replace the soak's, e.g. {@code
 *     delivery.guarantee=at-least-once} to see the soak catch the duplicates that allows
 */
record SoakSettings(
        int minutes,
        String jobJar,
        long seed,
        int eventsPerSecond,
        int keys,
        int faults,
        Map<String, String> jobSettings) {

    /** A run of {@code --minutes} with the other options or their defaults. */
    static SoakSettings from(Map<String, String> options) {
        int minutes = positive(options, "minutes", null);
        String jar = options.get("job-jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalArgumentException(
                    "--job-jar: expected the stream job jar (jobs/stream/target/"
                            + "rnnstream-stream-job-*.jar), got "
                            + jar);
        }
        // One fault of some kind every 3.75 minutes: 8 in 30 minutes, two of each kind.
        int faults = positive(options, "faults", Math.max(4, Math.round(minutes / 3.75f)));
        return new SoakSettings(
                minutes,
                jar,
                positive(options, "seed", 20),
                positive(options, "rate", 400),
                positive(options, "keys", 2000),
                faults,
                jobSettings(options.get("job-settings")));
    }

    /** {@code key=value,key=value}; null or empty for none. */
    private static Map<String, String> jobSettings(String list) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (list == null || list.isBlank()) {
            return settings;
        }
        for (String pair : list.split(",")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(
                        "--job-settings: expected key=value[,key=value...], got '" + pair + "'");
            }
            settings.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip());
        }
        return settings;
    }

    Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("minutes", minutes);
        described.put("seed", seed);
        described.put("eventsPerSecond", eventsPerSecond);
        described.put("keys", keys);
        described.put("faults", faults);
        described.put("jobSettings", jobSettings);
        described.put("brokerOutageSeconds", SoakSuite.BROKER_OUTAGE.toSeconds());
        described.put("maxOutOfOrdernessSeconds", SoakSuite.ALLOWANCE.toSeconds());
        described.put("recoveryBoundSeconds", SoakSuite.RECOVERY_BOUND.toSeconds());
        return described;
    }

    private static int positive(Map<String, String> options, String name, Integer fallback) {
        String value = options.get(name);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("--" + name + ": required");
            }
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the value.
        }
        throw new IllegalArgumentException(
                "--" + name + ": expected a positive whole number, got '" + value + "'");
    }
}
