package io.rnnstream.stream.predict;

import io.rnnstream.stream.classify.ClassifierSettings;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * What the stream job's language-model path does: which models are language models, which
 * classifiers' events also feed them, and what each event's prediction holds.
 *
 * @param models names of the language models this job serves
 * @param feeds per classifier model, the language models its events also step
 * @param topic the predictions topic
 * @param topK next symbols listed per prediction
 * @param surpriseThreshold emit a prediction only for events whose surprise (nats) exceeds this; 0
 *     emits every event's
 * @param maxContinuation the most symbols one {@code continue} may ask for
 * @param temperature sampling temperature of continuations; 0 is greedy
 * @param stateTtl processing-time TTL of a key's language-model state
 * @param modelCacheSize the most language-model versions a subtask keeps loaded ({@code
 *     models.cache.size}, as for classifiers)
 * @param modelCachePerModel the most versions of one language model a subtask keeps loaded ({@code
 *     models.cache.per-model})
 */
public record PredictionSettings(
        Set<String> models,
        Map<String, List<String>> feeds,
        String topic,
        int topK,
        double surpriseThreshold,
        int maxContinuation,
        double temperature,
        Duration stateTtl,
        int modelCacheSize,
        int modelCachePerModel)
        implements Serializable {

    /** Settings with the default model cache of {@link ClassifierSettings}. */
    public PredictionSettings(
            Set<String> models,
            Map<String, List<String>> feeds,
            String topic,
            int topK,
            double surpriseThreshold,
            int maxContinuation,
            double temperature,
            Duration stateTtl) {
        this(
                models,
                feeds,
                topic,
                topK,
                surpriseThreshold,
                maxContinuation,
                temperature,
                stateTtl,
                ClassifierSettings.DEFAULT_MODEL_CACHE_SIZE,
                ClassifierSettings.DEFAULT_MODEL_CACHE_PER_MODEL);
    }

    public static final ConfigOption<String> MODELS =
            ConfigOptions.key("predictions.models")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "comma-separated names of language models: events naming one of them step its per-key state and get a prediction of what comes next (empty: no language models)");

    public static final ConfigOption<String> FEEDS =
            ConfigOptions.key("predictions.feeds")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "comma-separated classifier=language-model pairs: the classifier's events also feed the language model, so one key is classified and predicted at once");

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("topic.predictions")
                    .stringType()
                    .defaultValue("predictions")
                    .withDescription(
                            "output topic of language-model predictions and continuations");

    public static final ConfigOption<Integer> TOP_K =
            ConfigOptions.key("predictions.top-k")
                    .intType()
                    .defaultValue(5)
                    .withDescription("most likely next symbols listed in each prediction");

    public static final ConfigOption<Double> SURPRISE_THRESHOLD =
            ConfigOptions.key("predictions.surprise-threshold")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "emit only events whose surprise (negative log-likelihood given the key's history, nats) exceeds this: anomaly mode; 0 emits every event");

    public static final ConfigOption<Integer> MAX_CONTINUATION =
            ConfigOptions.key("predictions.max-continuation")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "the most symbols an event's \"continue\" may ask for; larger requests are dead-lettered as oversized");

    public static final ConfigOption<Double> TEMPERATURE =
            ConfigOptions.key("predictions.temperature")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "sampling temperature of continuations, seeded per key and sequence position; 0 is greedy");

    /** The language-model settings, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS =
            List.of(MODELS, FEEDS, TOPIC, TOP_K, SURPRISE_THRESHOLD, MAX_CONTINUATION, TEMPERATURE);

    /** No language models: the job is the classifier alone. */
    public static PredictionSettings none() {
        return new PredictionSettings(
                Set.of(), Map.of(), "predictions", 5, 0, 1000, 0, Duration.ofDays(1));
    }

    /**
     * Reads and checks the settings; {@code stateTtl} is the job's {@code state.ttl}, the cache
     * bounds its {@code models.cache.size} and {@code models.cache.per-model}.
     */
    public static PredictionSettings from(
            Settings settings, Duration stateTtl, int modelCacheSize, int modelCachePerModel) {
        Set<String> models = new LinkedHashSet<>(names(settings.get(MODELS)));
        Map<String, List<String>> feeds = new LinkedHashMap<>();
        for (String pair : names(settings.get(FEEDS))) {
            String[] parts = pair.split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new ConfigException(
                        "predictions.feeds: '"
                                + pair
                                + "' is not classifier=language-model, e.g. sentiment=chat-lm");
            }
            String source = parts[0].strip();
            String target = parts[1].strip();
            if (!models.contains(target)) {
                throw new ConfigException(
                        "predictions.feeds: '"
                                + target
                                + "' is not one of predictions.models "
                                + models);
            }
            if (models.contains(source)) {
                throw new ConfigException(
                        "predictions.feeds: '"
                                + source
                                + "' is a language model; feeds start at a classifier");
            }
            feeds.computeIfAbsent(source, s -> new ArrayList<>()).add(target);
        }
        int topK = settings.positiveInt(TOP_K);
        double threshold = settings.number(SURPRISE_THRESHOLD, 0, Double.MAX_VALUE);
        int maxContinuation = settings.positiveInt(MAX_CONTINUATION);
        if (maxContinuation > io.rnnstream.stream.event.EventParser.MAX_CONTINUATION) {
            throw new ConfigException(
                    "predictions.max-continuation must be at most "
                            + io.rnnstream.stream.event.EventParser.MAX_CONTINUATION
                            + ", was "
                            + maxContinuation);
        }
        double temperature = settings.number(TEMPERATURE, 0, 100);
        return new PredictionSettings(
                Set.copyOf(models),
                Map.copyOf(feeds),
                settings.get(TOPIC),
                topK,
                threshold,
                maxContinuation,
                temperature,
                stateTtl,
                modelCacheSize,
                modelCachePerModel);
    }

    /** Whether the job serves any language model. */
    public boolean enabled() {
        return !models.isEmpty();
    }

    /** The language models {@code model}'s events also step, empty for none. */
    public List<String> fedBy(String model) {
        return feeds.getOrDefault(model, List.of());
    }

    private static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        return names;
    }
}
