package io.rnnstream.stream.classify;

/**
 * Broadcast state per model name ({@code model-roles}): which accepted version serves new sequences
 * and which run as shadows. Savepoints taken before roles existed have none; the newest accepted
 * version serves then, as it did.
 *
 * @param serving the version that serves sequences starting now
 * @param shadows the versions that run as shadows of sequences starting now
 * @param shadowsAccepted how many shadows the model has ever had; while it is 0, no key of the
 *     model can hold shadow state, so the hot path does not look for any
 */
public record ModelRoles(long serving, long[] shadows, long shadowsAccepted) {}
