package io.rnnstream.core.model;

/** What one step of a sequence carries. */
public enum InputKind {
    /** A dense float vector of a fixed dimension per step (sensor readings, video features). */
    FEATURES,
    /** One token per step, looked up in the model's vocabulary and embedded. */
    TOKENS
}
