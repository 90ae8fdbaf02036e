package io.rnnstream.stream.evaluate;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the live evaluation runs.
 *
 * @param ttl how long a label or a prediction waits for its partner (processing time)
 * @param every an evaluation record per version every this many labelled sequences
 * @param policy when a shadow is promoted
 */
public record EvaluationSettings(Duration ttl, long every, PromotionPolicy policy)
        implements Serializable {}
