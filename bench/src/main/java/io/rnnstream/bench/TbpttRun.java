package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.train.NextTokenTrainer;
import io.rnnstream.core.train.OpenBlasLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * One stateful truncated-BPTT run of the comparison, in its own JVM: a character-level LSTM on
 * one-hot input trained with {@link NextTokenTrainer}. Prints one JSON object on stdout.
 *
 * <ul>
 *   <li>{@code --mode speed --text FILE}: the long-sequence case (hidden 256, windows of 100 steps,
 *       32 streams, Adam 2e-3): {@code --warmup} updates in a first run to warm the JIT, then
 *       {@code --updates} timed updates in a second, with where each update's time went.
 *   <li>{@code --mode memory --steps N}: one stream of N synthetic steps trained in windows of 100,
 *       then the process's peak resident set ({@code VmHWM}), which must not grow with N.
 * </ul>
 */
public final class TbpttRun {

    private TbpttRun() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = Arguments.parse(args);
        int hidden = Integer.parseInt(options.getOrDefault("hidden", "256"));
        int window = Integer.parseInt(options.getOrDefault("window", "100"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("framework", "rnnstream (DL4J/ND4J)");
        result.put("hidden", hidden);
        result.put("window", window);
        if ("memory".equals(options.get("mode"))) {
            int steps = Integer.parseInt(options.get("steps"));
            int[] ids = synthetic(steps + 1, 65);
            TrainingOptions recipe = recipe(hidden, window, 1, 1);
            ResidentSampler sampler = ResidentSampler.start();
            NextTokenTrainer.Result run =
                    NextTokenTrainer.train(
                            ids,
                            synthetic(2 * window + 2, 65),
                            symbols(65),
                            InputKind.FEATURES,
                            recipe,
                            0,
                            null);
            List<Long> samples = sampler.stop();
            result.put("steps", steps);
            result.put("updates", run.timings().updates());
            result.put("peakResidentBytes", peakResidentBytes());
            // Whether the resident set keeps growing with the run or levels off after warm-up.
            result.put("peakResidentFirstHalfBytes", max(samples.subList(0, samples.size() / 2)));
            result.put(
                    "peakResidentSecondHalfBytes",
                    max(samples.subList(samples.size() / 2, samples.size())));
        } else {
            String text = Files.readString(Path.of(options.get("text")), StandardCharsets.UTF_8);
            List<Character> alphabet = new ArrayList<>(new TreeSet<>(chars(text)));
            int[] ids = new int[text.length()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = alphabet.indexOf(text.charAt(i));
            }
            int split = (int) (ids.length * 0.9);
            int streams = Integer.parseInt(options.getOrDefault("streams", "32"));
            int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
            int updates = Integer.parseInt(options.getOrDefault("updates", "30"));
            int[] train = Arrays.copyOf(ids, split);
            // Validation runs after the timed updates and is not timed; a short piece suffices.
            int[] validation =
                    Arrays.copyOfRange(
                            ids, split, Math.min(ids.length, split + 2 * streams * (window + 1)));
            List<String> symbols = new ArrayList<>();
            for (char c : alphabet) {
                symbols.add(String.valueOf(c));
            }
            TrainingOptions recipe = recipe(hidden, window, streams, 1);
            NextTokenTrainer.train(
                    train, validation, symbols, InputKind.FEATURES, recipe, warmup, null);
            NextTokenTrainer.Result run =
                    NextTokenTrainer.train(
                            train, validation, symbols, InputKind.FEATURES, recipe, updates, null);
            NextTokenTrainer.Epoch epoch = run.history().get(0);
            result.put("streams", streams);
            result.put("vocabulary", symbols.size());
            result.put("updates", epoch.updates());
            result.put("charactersPerSecond", epoch.tokensPerSecond());
            result.put("msPerUpdate", 1000.0 * window * streams / epoch.tokensPerSecond());
            result.put("breakdownMsPerUpdate", run.timings().millisecondsPerUpdate());
        }
        result.put("openblas", OpenBlasLibrary.loaded());
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    /** The long-sequence recipe: Adam 2e-3, as the PyTorch reference. */
    private static TrainingOptions recipe(int hidden, int window, int streams, int epochs) {
        return TrainingOptions.builder()
                .hiddenSize(hidden)
                .tbpttLength(window)
                .batchSize(streams)
                .learningRate(2e-3)
                .gradientClip(5)
                .maxEpochs(epochs)
                .seed(42)
                .build();
    }

    private static int[] synthetic(int length, int vocabulary) {
        Random random = new Random(7);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(vocabulary);
        }
        return ids;
    }

    private static List<String> symbols(int count) {
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            symbols.add("s" + i);
        }
        return symbols;
    }

    private static List<Character> chars(String text) {
        List<Character> chars = new ArrayList<>();
        for (char c : text.toCharArray()) {
            chars.add(c);
        }
        return chars;
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Samples the resident set every 100 ms on a daemon thread. */
    private static final class ResidentSampler {
        private final List<Long> samples =
                java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private Thread thread;

        static ResidentSampler start() {
            ResidentSampler sampler = new ResidentSampler();
            sampler.thread =
                    new Thread(
                            () -> {
                                while (sampler.running) {
                                    try {
                                        sampler.samples.add(residentBytes("VmRSS:"));
                                        Thread.sleep(100);
                                    } catch (IOException | InterruptedException e) {
                                        return;
                                    }
                                }
                            },
                            "resident-sampler");
            sampler.thread.setDaemon(true);
            sampler.thread.start();
            return sampler;
        }

        List<Long> stop() throws IOException {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Long> copy = new ArrayList<>(samples);
            if (copy.size() < 2) {
                copy.add(residentBytes("VmRSS:"));
                copy.add(residentBytes("VmRSS:"));
            }
            return copy;
        }
    }

    /** The process's peak resident set from {@code /proc/self/status}, in bytes. */
    static long peakResidentBytes() throws IOException {
        return residentBytes("VmHWM:");
    }

    private static long residentBytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }
}
