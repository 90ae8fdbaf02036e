package io.rnnstream.stream.predict;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The seed of a continuation's draws: derived from the key, its sequence and the position in it, so
 * that a replay after a failure generates the same text and two keys do not share draws.
 */
public final class ContinuationSeed {

    private ContinuationSeed() {}

    public static long of(String key, String sequenceId, int position) {
        long h = 0xcbf29ce484222325L;
        for (byte b :
                (key + '\u0000' + Objects.toString(sequenceId, "") + '\u0000' + position)
                        .getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
