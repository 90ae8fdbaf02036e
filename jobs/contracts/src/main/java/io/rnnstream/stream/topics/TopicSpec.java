package io.rnnstream.stream.topics;

/**
 * A topic a job reads or writes.
 *
 * @param name the topic's name
 * @param setting the setting that names it, e.g. {@code topic.models}, for messages
 * @param compacted whether it keeps only the newest record per key (the models topic)
 */
public record TopicSpec(String name, String setting, boolean compacted) {

    /** A topic that keeps every record for the broker's retention. */
    public static TopicSpec plain(String name, String setting) {
        return new TopicSpec(name, setting, false);
    }

    /** A compacted topic: the newest record per key stays. */
    public static TopicSpec compacted(String name, String setting) {
        return new TopicSpec(name, setting, true);
    }
}
