package io.rnnstream.stream.model;

import java.nio.charset.StandardCharsets;

/**
 * An announcement as it travels on the model topic: the version, the role it takes, and whether it
 * is an explicit rollback to an older version. JSON {@code {"name": "motion", "version": 3, "uri":
 * "...", "sha256": "...", "role": "shadow"}}; without {@code role} an announcement means {@code
 * serving}, as before roles existed.
 *
 * @param version the model version and its artifact
 * @param role what the version does from now on
 * @param rollback true only for a serving announcement that deliberately goes back to an older
 *     version ({@code rnnstream rollback}); the stream refuses older versions otherwise
 */
public record RoleAnnouncement(ModelAnnouncement version, ModelRole role, boolean rollback)
        implements java.io.Serializable {

    public RoleAnnouncement {
        if (rollback && role != ModelRole.SERVING) {
            throw new IllegalArgumentException(
                    "model announcement field rollback: only a serving announcement can roll back");
        }
    }

    /** A serving announcement, the meaning of an announcement without a role. */
    public static RoleAnnouncement serving(ModelAnnouncement version) {
        return new RoleAnnouncement(version, ModelRole.SERVING, false);
    }

    /**
     * The Kafka key on the compacted model topic. The serving version of a model is keyed by its
     * name, so compaction keeps the latest decision; each shadow has its own key, so announcing a
     * shadow never compacts the serving version away, and its retirement has the same key, so
     * compaction keeps the retirement instead of the shadow (a re-read topic does not revive it).
     */
    public byte[] kafkaKey() {
        String key =
                role == ModelRole.SERVING
                        ? version.name()
                        : version.name() + "#" + version.version() + "#shadow";
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
