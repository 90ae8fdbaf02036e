package io.rnnstream.stream.topics;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A job's topics are not all there and it was not asked to create them. The message is one line
 * naming each missing topic, its setting and the commands that create it, so that the job stops at
 * once instead of failing over on {@code UnknownTopicOrPartitionException} forever.
 */
public final class MissingTopicsException extends RuntimeException {

    private final List<TopicSpec> missing;

    MissingTopicsException(String bootstrapServers, List<TopicSpec> missing) {
        super(message(bootstrapServers, missing));
        this.missing = List.copyOf(missing);
    }

    /** The topics that do not exist. */
    public List<TopicSpec> missing() {
        return missing;
    }

    private static String message(String bootstrapServers, List<TopicSpec> missing) {
        String names =
                missing.stream()
                        .map(t -> "'" + t.name() + "' (" + t.setting() + ")")
                        .collect(Collectors.joining(", "));
        return (missing.size() == 1
                        ? "topic " + names + " does not"
                        : "topics " + names + " do not")
                + " exist at "
                + bootstrapServers
                + "; create "
                + (missing.size() == 1 ? "it" : "them")
                + " with 'rnnstream topics create --config <this job's settings file>'"
                + " or start the job with topics.create=true";
    }
}
