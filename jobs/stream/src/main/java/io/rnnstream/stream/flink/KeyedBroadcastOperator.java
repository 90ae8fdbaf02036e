package io.rnnstream.stream.flink;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The one class of rnnstream that touches Flink types marked {@code @Internal}, which may change in
 * any Flink release: Flink's own keyed broadcast operator ({@code CoBroadcastWithKeyedOperator},
 * what {@code keyedStream.connect(broadcast).process(function)} builds), extended with hooks at the
 * moments Flink's public function API does not reach, and with services in Flink's public types.
 *
 * <p>The hooks: after the operator opens; after each broadcast element; between the event-time
 * timers a watermark fires and the watermark's forwarding (only for operators that ask, {@link
 * #runsAfterWatermarkTimers}); and before each checkpoint barrier. The services: emitting with an
 * absolute timestamp or none, to the main or a side output; broadcast state outside a function
 * call; counting the keys with a value in a keyed state; selecting the current key; and
 * processing-time callbacks outside any key, on the task's mailbox thread.
 *
 * <p>An operator built on it keeps exactly its function's state (same names, timers and broadcast
 * state), so savepoints move between it and Flink's operator. The architecture rules hold every
 * other class to Flink's public API; {@code FlinkInternalsUpgradeTest} lists what to check here
 * when Flink's version changes.
 */
public class KeyedBroadcastOperator<KS, IN1, IN2, OUT>
        extends CoBroadcastWithKeyedOperator<KS, IN1, IN2, OUT> {

    private static final long serialVersionUID = 1L;

    /**
     * A processing-time callback; runs on the task thread, never concurrently with the function.
     */
    @FunctionalInterface
    public interface Callback {
        void run() throws Exception;
    }

    private transient TimestampedCollector<OUT> stamped;

    protected KeyedBroadcastOperator(
            KeyedBroadcastProcessFunction<KS, IN1, IN2, OUT> function,
            List<MapStateDescriptor<?, ?>> broadcastStates) {
        super(function, broadcastStates);
    }

    @Override
    public final void open() throws Exception {
        super.open();
        stamped = new TimestampedCollector<>(output);
        onOpen();
    }

    @Override
    public final void processElement2(StreamRecord<IN2> element) throws Exception {
        super.processElement2(element);
        afterBroadcastElement();
    }

    @Override
    public final void processWatermark(Watermark mark) throws Exception {
        if (!runsAfterWatermarkTimers()) {
            super.processWatermark(mark);
            return;
        }
        // Flink's own order (fire due timers, forward the watermark) with the hook in between.
        // Interruptible timers (useInterruptibleTimers) stay off: they could split an advance.
        if (timeServiceManager != null) {
            timeServiceManager.advanceWatermark(mark);
        }
        afterWatermarkTimers();
        output.emitWatermark(mark);
    }

    @Override
    public final void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        beforeCheckpointBarrier();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    /** After Flink's operator has opened (state, timers and the function are ready). */
    protected void onOpen() throws Exception {}

    /** After the function has processed a broadcast element. */
    protected void afterBroadcastElement() throws Exception {}

    /** Whether {@link #afterWatermarkTimers} runs; false leaves watermarks to Flink's operator. */
    protected boolean runsAfterWatermarkTimers() {
        return false;
    }

    /** After a watermark's due event-time timers have fired, before it is forwarded. */
    protected void afterWatermarkTimers() throws Exception {}

    /** Before the checkpoint barrier goes downstream: what is emitted here belongs to it. */
    protected void beforeCheckpointBarrier() throws Exception {}

    /** The function this operator runs. */
    protected final KeyedBroadcastProcessFunction<KS, IN1, IN2, OUT> function() {
        return userFunction;
    }

    /** Emits {@code value} on the main output, stamped with {@code timestamp}. */
    protected final void emit(OUT value, long timestamp) {
        stamped.setAbsoluteTimestamp(timestamp);
        stamped.collect(value);
    }

    /** Emits {@code value} on the main output without a timestamp. */
    protected final void emitWithoutTimestamp(OUT value) {
        output.collect(new StreamRecord<>(value));
    }

    /** Emits {@code value} on the side output {@code tag}, stamped with {@code timestamp}. */
    protected final <X> void emit(OutputTag<X> tag, X value, long timestamp) {
        output.collect(tag, new StreamRecord<>(value, timestamp));
    }

    /** Emits {@code value} on the side output {@code tag} without a timestamp. */
    protected final <X> void emitWithoutTimestamp(OutputTag<X> tag, X value) {
        output.collect(tag, new StreamRecord<>(value));
    }

    /** The broadcast state of {@code descriptor}, writable, outside any function call. */
    protected final <K, V> BroadcastState<K, V> broadcastState(MapStateDescriptor<K, V> descriptor)
            throws Exception {
        return getOperatorStateBackend().getBroadcastState(descriptor);
    }

    /** This subtask's keys with a value in the keyed state {@code stateName}. */
    protected final long keysWithState(String stateName) throws Exception {
        try (Stream<?> keys = getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /**
     * The keys of this subtask with a value in the keyed state {@code stateName}, counted by what
     * {@code group} makes of each key.
     */
    protected final Map<String, Long> keysWithState(
            String stateName, Function<Object, String> group) throws Exception {
        try (Stream<?> keys = getKeyedStateBackend().getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.collect(Collectors.groupingBy(group, Collectors.counting()));
        }
    }

    /** Makes {@code key} the key that keyed state and timers refer to. */
    protected final void selectKey(Object key) {
        setCurrentKey(key);
    }

    /** The operator's processing time. */
    protected final long currentProcessingTime() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** Runs {@code callback} at processing time {@code time}, outside any key. */
    protected final void registerProcessingTimer(long time, Callback callback) {
        getProcessingTimeService().registerTimer(time, t -> callback.run());
    }

    /**
     * Whether {@code snapshot} describes state written by Flink's POJO serializer, as release 0.1.0
     * wrote the sequence state (its serializer snapshot migrates it).
     */
    public static boolean writtenByFlinksPojoSerializer(TypeSerializerSnapshot<?> snapshot) {
        return snapshot instanceof PojoSerializerSnapshot;
    }
}
