package io.rnnstream.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Stateful truncated BPTT's input: B streams read side by side, k1 steps of every stream per
 * window, the state carried from window to window. Each stream is a series of sequences (one long
 * text is one sequence). A sequence starts at a window's first step, from a zero state ({@link
 * Window#reset}); when it ends inside a window, the rest of that window is padding for that stream
 * (no input, no loss) and the stream's next sequence starts with the next window. Streams that run
 * out are padding until the longest one ends.
 *
 * <p>Only one window's arrays exist at a time, built as it is read, so memory does not grow with
 * the length of the streams. Token ids are either kept as ids (for an embedding) or expanded to
 * one-hot vectors ({@code oneHotWidth > 0}).
 */
final class ParallelStreams {

    /**
     * One window: features {@code [streams, inputs, steps]} (token ids as {@code [streams, 1,
     * steps]}), one-hot targets and their mask in {@code data}; {@code reset[b]} when stream b
     * starts a new sequence at this window.
     */
    record Window(DataSet data, boolean[] reset) {

        /** Frees the window's arrays; see {@link RecurrentState#release}. */
        void release() {
            Scratch.release(data.getFeatures());
            Scratch.release(data.getLabels());
            Scratch.release(data.getLabelsMaskArray());
        }
    }

    private final List<List<StreamSequence>> streams;
    private final int windowLength;
    private final int inputs;
    private final int oneHotWidth;
    private final int classes;
    private final int[] sequence;
    private final int[] offset;

    /**
     * @param inputs feature width for feature sequences; ignored for tokens
     * @param oneHotWidth for token sequences, the vocabulary size to expand ids to one-hot vectors
     *     of, or 0 to keep ids
     */
    ParallelStreams(
            List<List<StreamSequence>> streams,
            int windowLength,
            int inputs,
            int oneHotWidth,
            int classes) {
        if (streams.isEmpty() || windowLength < 1) {
            throw new IllegalArgumentException(
                    "need at least one stream and a window of at least one step");
        }
        this.streams = List.copyOf(streams);
        this.windowLength = windowLength;
        this.inputs = inputs;
        this.oneHotWidth = oneHotWidth;
        this.classes = classes;
        this.sequence = new int[streams.size()];
        this.offset = new int[streams.size()];
    }

    /** One long sequence cut into {@code count} streams of equal length (the remainder dropped). */
    static List<List<StreamSequence>> split(int[] ids, int count) {
        int length = ids.length / count;
        if (length < 2) {
            throw new IllegalArgumentException(
                    ids.length + " tokens are too few for " + count + " streams");
        }
        List<List<StreamSequence>> streams = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int[] part = new int[length];
            System.arraycopy(ids, s * length, part, 0, length);
            streams.add(List.of(StreamSequence.nextToken(part)));
        }
        return streams;
    }

    int streamCount() {
        return streams.size();
    }

    boolean hasNext() {
        for (int b = 0; b < streams.size(); b++) {
            if (sequence[b] < streams.get(b).size()) {
                return true;
            }
        }
        return false;
    }

    Window next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int batch = streams.size();
        boolean tokenIds = oneHotWidth == 0 && firstSequence().tokenIds() != null;
        int rows = tokenIds ? 1 : (oneHotWidth > 0 ? oneHotWidth : inputs);
        float[] features = new float[batch * rows * windowLength];
        float[] labels = new float[batch * classes * windowLength];
        float[] mask = new float[batch * windowLength];
        boolean[] reset = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            List<StreamSequence> stream = streams.get(b);
            if (sequence[b] >= stream.size()) {
                continue;
            }
            StreamSequence current = stream.get(sequence[b]);
            reset[b] = offset[b] == 0;
            int steps = Math.min(windowLength, current.length() - offset[b]);
            for (int t = 0; t < steps; t++) {
                int at = offset[b] + t;
                if (tokenIds) {
                    features[b * windowLength + t] = current.tokenIds()[at];
                } else if (oneHotWidth > 0) {
                    features[(b * rows + current.tokenIds()[at]) * windowLength + t] = 1f;
                } else {
                    float[] step = current.features()[at];
                    for (int i = 0; i < rows; i++) {
                        features[(b * rows + i) * windowLength + t] = step[i];
                    }
                }
                int target = current.targets()[at];
                if (target >= 0) {
                    labels[(b * classes + target) * windowLength + t] = 1f;
                    mask[b * windowLength + t] = 1f;
                }
            }
            offset[b] += steps;
            if (offset[b] == current.length()) {
                sequence[b]++;
                offset[b] = 0;
            }
        }
        DataSet data =
                new DataSet(
                        HostRuns.floatArray(features, batch, rows, windowLength),
                        HostRuns.floatArray(labels, batch, classes, windowLength),
                        null,
                        HostRuns.floatArray(mask, batch, windowLength));
        return new Window(data, reset);
    }

    private StreamSequence firstSequence() {
        for (List<StreamSequence> stream : streams) {
            if (!stream.isEmpty()) {
                return stream.get(0);
            }
        }
        throw new IllegalStateException("every stream is empty");
    }
}
