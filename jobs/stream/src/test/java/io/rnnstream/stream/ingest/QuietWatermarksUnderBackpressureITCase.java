package io.rnnstream.stream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.event.Event;
import io.rnnstream.testkit.StreamTestJob;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault: the classifier falls behind and back-pressures the source for longer than the quiet
 * period. Must hold: no event is behind the watermark when it reaches the keyed operator, because
 * waiting on backpressure is not quiet input. Events arrive 1 ms of event time apart as fast as the
 * source may send them; the keyed operator spends 0.2 ms on each, so the source waits about 100 ms
 * for every network buffer that frees up, against a quiet period of 30 ms.
 */
class QuietWatermarksUnderBackpressureITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    private static final long EVENTS = 20_000;
    private static final long QUIET_MILLIS = 30;
    private static final AtomicLong LATE = new AtomicLong();
    private static final AtomicLong SEEN = new AtomicLong();

    @Test
    void eventTimeDoesNotRunAheadOfEventsHeldBackByBackpressure() throws Exception {
        LATE.set(0);
        SEEN.set(0);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(10));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        // Event times start ahead of the wall clock, as a live producer's do, so the watermark a
        // generator emits before its first event does not pass them.
        long start = System.currentTimeMillis() + 60_000;
        env.fromSequence(1, EVENTS)
                .map(
                        n ->
                                new Event(
                                        "k" + (n % 64),
                                        "m",
                                        start + n,
                                        null,
                                        new float[] {n},
                                        null,
                                        false,
                                        null))
                .returns(Event.class)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Event>forGenerator(
                                        context ->
                                                new QuietAdvancingWatermarks(
                                                        0,
                                                        QUIET_MILLIS,
                                                        context.getInputActivityClock()))
                                .withTimestampAssigner((event, previous) -> event.timestamp()))
                .keyBy(Event::key, Types.STRING)
                .process(new SlowLatenessCounter())
                .sinkTo(new DiscardingSink<>());

        env.execute("watermarks under backpressure");

        assertThat(SEEN.get()).as("events processed").isEqualTo(EVENTS);
        assertThat(LATE.get()).as("events behind the watermark on arrival").isZero();
    }

    /** Spends 0.2 ms per event (the back-pressure) and counts events behind the watermark. */
    private static final class SlowLatenessCounter
            extends KeyedProcessFunction<String, Event, Long> {
        @Override
        public void processElement(Event event, Context ctx, Collector<Long> out) {
            if (event.timestamp() <= ctx.timerService().currentWatermark()) {
                LATE.incrementAndGet();
            }
            SEEN.incrementAndGet();
            long until = System.nanoTime() + 200_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }
}
