package io.rnnstream.stream.classify;

import io.rnnstream.stream.model.ModelAnnouncement;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the keyed classifier ends sequences and keeps state.
 *
 * @param defaultModel model name for events that do not name one
 * @param initialModel a version to serve before any announcement arrives, or null
 * @param gap inactivity gap in event time that ends a sequence
 * @param maxLength steps after which a sequence ends
 * @param emitEvery emit a running classification every this many steps; 0 disables
 * @param stateTtl processing-time TTL of a key's sequence state, a safety net for keys whose timers
 *     never fire (e.g. no watermark progress)
 * @param maxShadows the most shadow versions one model runs at a time
 * @param evaluate whether final results also go out as {@link Prediction}s for the live evaluation
 * @param modelCacheSize the most model versions a subtask keeps loaded, the initial one aside
 * @param modelCachePerModel the most versions of one model a subtask keeps loaded
 */
public record ClassifierSettings(
        String defaultModel,
        ModelAnnouncement initialModel,
        Duration gap,
        int maxLength,
        int emitEvery,
        boolean batchSteps,
        Duration stateTtl,
        int maxShadows,
        boolean evaluate,
        int modelCacheSize,
        int modelCachePerModel)
        implements Serializable {

    /** Versions kept loaded per subtask when not configured. */
    public static final int DEFAULT_MODEL_CACHE_SIZE = 8;

    /** Versions of one model kept loaded per subtask when not configured. */
    public static final int DEFAULT_MODEL_CACHE_PER_MODEL = 4;

    /** Shadows allowed per model when not configured. */
    public static final int DEFAULT_MAX_SHADOWS = 2;

    /** Settings without the live evaluation, with the default shadow limit and model cache. */
    public ClassifierSettings(
            String defaultModel,
            ModelAnnouncement initialModel,
            Duration gap,
            int maxLength,
            int emitEvery,
            boolean batchSteps,
            Duration stateTtl) {
        this(
                defaultModel,
                initialModel,
                gap,
                maxLength,
                emitEvery,
                batchSteps,
                stateTtl,
                DEFAULT_MAX_SHADOWS,
                false,
                DEFAULT_MODEL_CACHE_SIZE,
                DEFAULT_MODEL_CACHE_PER_MODEL);
    }

    public ClassifierSettings {
        if (modelCachePerModel < 1 || modelCachePerModel > modelCacheSize) {
            throw new IllegalArgumentException(
                    "models.cache.per-model must be between 1 and models.cache.size ("
                            + modelCacheSize
                            + "), was "
                            + modelCachePerModel);
        }
        if (modelCachePerModel < maxShadows + 2) {
            // A key may need its open sequence's version, the serving one and every shadow at once.
            throw new IllegalArgumentException(
                    "models.cache.per-model must be at least shadow.max-per-model + 2 ("
                            + (maxShadows + 2)
                            + "), was "
                            + modelCachePerModel);
        }
        if (maxShadows < 0) {
            throw new IllegalArgumentException("max shadows must be >= 0, was " + maxShadows);
        }
        if (gap.isNegative() || gap.isZero()) {
            throw new IllegalArgumentException("sequence gap must be positive, was " + gap);
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException(
                    "maximum sequence length must be >= 1, was " + maxLength);
        }
        if (emitEvery < 0) {
            throw new IllegalArgumentException("emit-every must be >= 0, was " + emitEvery);
        }
        if (stateTtl.compareTo(gap) <= 0) {
            throw new IllegalArgumentException(
                    "state TTL " + stateTtl + " must be longer than the sequence gap " + gap);
        }
    }
}
