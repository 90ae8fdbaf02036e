package io.rnnstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the figures were measured on: CPU, cores, memory, JVM, OS, and how busy the machine was. */
final class MachineInfo {

    private MachineInfo() {}

    static Map<String, Object> describe() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", cpuModel());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("cpuFlags", simdFlags());
        machine.put("memoryGiB", memoryGiB());
        machine.put(
                "jvm",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return machine;
    }

    /** The 1-minute load average: above the core count, other processes shared the CPUs. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The note a report adds to its load averages: that other processes shared the CPUs, only when
     * the load measured before or after the run exceeds the core count; otherwise nothing.
     */
    static String loadNote(double before, double after, int cores) {
        double highest = Math.max(before, after);
        return highest > cores
                ? String.format(
                        Locale.ROOT,
                        " (%.2f, above the %d cores: other processes shared the CPUs; compare"
                                + " ratios)",
                        highest,
                        cores)
                : "";
    }

    private static String cpuModel() {
        return cpuinfo("model name").orElse(System.getProperty("os.arch"));
    }

    private static String simdFlags() {
        String flags = cpuinfo("flags").orElse("");
        return List.of(flags.split(" ")).stream()
                .filter(f -> f.equals("fma") || f.equals("avx2") || f.equals("avx512f"))
                .reduce((a, b) -> a + " " + b)
                .orElse("none");
    }

    private static java.util.Optional<String> cpuinfo(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith(field))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static long memoryGiB() {
        try {
            String total =
                    Files.readAllLines(Path.of("/proc/meminfo")).stream()
                            .filter(l -> l.startsWith("MemTotal"))
                            .findFirst()
                            .orElse("MemTotal: 0 kB");
            return Long.parseLong(total.replaceAll("[^0-9]", "")) / (1024 * 1024);
        } catch (IOException e) {
            return -1;
        }
    }
}
