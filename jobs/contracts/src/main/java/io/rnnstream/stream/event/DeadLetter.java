package io.rnnstream.stream.event;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * A record that could not be used, with its original bytes and the reason. Written to the
 * dead-letter topic with headers {@code reason}, {@code message}, {@code source-topic}, {@code
 * source-partition} and {@code source-offset}.
 *
 * @param reason machine-readable reason
 * @param message what was wrong, naming the field and what was expected
 * @param origin the record as it arrived
 */
public record DeadLetter(DeadLetterReason reason, String message, RawRecord origin) {

    /** The side output on which the jobs' operators emit the records they cannot use. */
    public static final OutputTag<DeadLetter> SIDE_OUTPUT =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
}
