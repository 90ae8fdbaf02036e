package io.rnnstream.stream.model;

/**
 * A model version announced on the model topic: JSON {@code {"name": "sentiment", "version": 3,
 * "uri": "s3://models/sentiment/3", "sha256": "<hex digest of manifest.json>"}}, Kafka key = name.
 * The URI is read through Flink's FileSystem, so any scheme Flink has a plugin for works.
 *
 * @param name model name
 * @param version version, increasing per name
 * @param uri artifact directory
 * @param sha256 SHA-256 of the artifact's {@code manifest.json}
 */
public record ModelAnnouncement(String name, long version, String uri, String sha256)
        implements java.io.Serializable {

    /** Refuses names the job could not key state by (see {@code StateKey}). */
    public ModelAnnouncement {
        if (name == null || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "model announcement field name: expected a name without control characters");
        }
    }

    /** Key of this version in broadcast state. */
    public String id() {
        return name + "#" + version;
    }
}
