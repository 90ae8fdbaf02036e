package io.rnnstream.bench;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.classify.Classification;
import io.rnnstream.stream.classify.Trigger;
import io.rnnstream.stream.event.Event;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The window-recompute baseline (issue 7, item 2): what a stateless inference service does. Per
 * key, the last {@link #WINDOW} events' features are kept in state, and every event re-runs the
 * whole window through the model from a zero state; the result of the event that ends a sequence is
 * emitted, as the classifier does. The model is the step suite's LSTM 64/16 ({@link StepModel}),
 * run either by DL4J's {@code network.output} over the window or by rnnstream's serving step.
 */
final class WindowRecomputeFunction extends KeyedProcessFunction<String, Event, Classification> {

    private static final long serialVersionUID = 1L;

    /** Events re-run per event, as in the step suite's contender (d). */
    static final int WINDOW = 50;

    static final int HIDDEN = 64;

    /** Who runs the window through the model. */
    enum Contender {
        DL4J,
        SERVING_STEP
    }

    private final Contender contender;
    private transient ValueState<float[]> window;
    private transient MultiLayerNetwork network;
    private transient SequenceClassifier classifier;
    private transient Stepper stepper;
    private transient String[] labels;

    WindowRecomputeFunction(Contender contender) {
        this.contender = contender;
    }

    @Override
    public void open(OpenContext openContext) {
        window =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "window",
                                        PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        // Seeded: every parallel instance builds the same weights.
        StepModel model = StepModel.create(CellType.LSTM, HIDDEN, EventFeed.FEATURES);
        network = model.network();
        classifier = model.classifier();
        stepper = classifier.newStepper();
        labels = StepModel.LABELS.toArray(new String[0]);
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<Classification> out)
            throws Exception {
        float[] features = event.features();
        if (features == null || features.length != EventFeed.FEATURES) {
            return; // the suite only sends 16-feature events
        }
        float[] previous = window.value();
        int kept = previous == null ? 0 : Math.min(previous.length, (WINDOW - 1) * features.length);
        float[] rows = new float[kept + features.length];
        if (kept > 0) {
            System.arraycopy(previous, previous.length - kept, rows, 0, kept);
        }
        System.arraycopy(features, 0, rows, kept, features.length);
        window.update(rows);
        float[] probabilities =
                contender == Contender.DL4J
                        ? dl4j(rows, features.length)
                        : servingStep(rows, features.length);
        if (event.end()) {
            out.collect(
                    new Classification(
                            event.key(),
                            event.sequenceId(),
                            labels[SequenceClassifier.argMax(probabilities)],
                            labels,
                            probabilities,
                            rows.length / features.length,
                            event.timestamp(),
                            event.timestamp(),
                            Trigger.END,
                            "window-recompute",
                            1));
        }
    }

    private float[] dl4j(float[] rows, int width) {
        int steps = rows.length / width;
        float[] ncw = new float[rows.length];
        for (int t = 0; t < steps; t++) {
            for (int f = 0; f < width; f++) {
                ncw[f * steps + t] = rows[t * width + f];
            }
        }
        INDArray input = Nd4j.create(ncw, new long[] {1, width, steps}, 'c');
        INDArray output = network.output(input);
        return output.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(steps - 1))
                .toFloatVector();
    }

    private float[] servingStep(float[] rows, int width) {
        RecurrentState state = classifier.initialState();
        float[] row = new float[width];
        for (int offset = 0; offset < rows.length; offset += width) {
            System.arraycopy(rows, offset, row, 0, width);
            stepper.advance(state, row);
        }
        return stepper.probabilities(state);
    }
}
