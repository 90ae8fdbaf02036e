package io.rnnstream.stream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;

class QuietAdvancingWatermarksTest {

    private static final long BOUND = 100;
    private static final long QUIET = 50;

    /** Records what the generator emits. */
    private static final class Recorder implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {}
    }

    @Test
    void trailsTheNewestEventTimeByTheBoundWhileEventsFlow() {
        QuietAdvancingWatermarks generator =
                new QuietAdvancingWatermarks(BOUND, 60_000, SystemClock.getInstance());
        Recorder out = new Recorder();
        generator.onEvent(null, 10_000, out);
        generator.onEvent(null, 9_000, out);
        generator.onPeriodicEmit(out);

        assertThat(out.watermarks).containsExactly(10_000 - BOUND - 1);
    }

    @Test
    void followsTheWallClockAfterTheInputGoesQuiet() throws InterruptedException {
        QuietAdvancingWatermarks generator =
                new QuietAdvancingWatermarks(BOUND, QUIET, SystemClock.getInstance());
        Recorder out = new Recorder();
        generator.onEvent(null, 10_000, out);
        Thread.sleep(QUIET + 100);
        generator.onPeriodicEmit(out);

        assertThat(out.watermarks).hasSize(1);
        assertThat(out.watermarks.get(0)).isGreaterThanOrEqualTo(10_000 - BOUND - 1 + 100);
    }

    @Test
    void anInstanceWithoutEventsFollowsTheWallClockOnceQuietAndIsNeverIdle()
            throws InterruptedException {
        long before = System.currentTimeMillis();
        QuietAdvancingWatermarks generator =
                new QuietAdvancingWatermarks(BOUND, QUIET, SystemClock.getInstance());
        Recorder out = new Recorder();
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).as("nothing before the quiet period").isEmpty();

        Thread.sleep(QUIET + 100);
        generator.onPeriodicEmit(out);

        assertThat(out.idle).isFalse();
        assertThat(out.watermarks).hasSize(1);
        assertThat(out.watermarks.get(0))
                .isBetween(before - BOUND - 1, System.currentTimeMillis() - QUIET - BOUND);
    }

    /**
     * Under backpressure Flink stops the input-activity clock: the source hands over no events, but
     * that is not quiet, and event time must not run ahead of the events still waiting in Kafka.
     */
    @Test
    void timeWhileTheInputActivityClockStandsStillIsNotQuiet() throws InterruptedException {
        ManualClock inputActivity = new ManualClock(1_000_000_000L);
        QuietAdvancingWatermarks generator =
                new QuietAdvancingWatermarks(BOUND, QUIET, inputActivity);
        Recorder out = new Recorder();
        generator.onEvent(null, 10_000, out);
        Thread.sleep(QUIET + 100);
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).containsExactly(10_000 - BOUND - 1);

        inputActivity.advanceTime(java.time.Duration.ofMillis(QUIET + 30));
        generator.onPeriodicEmit(out);
        assertThat(out.watermarks).containsExactly(10_000 - BOUND - 1, 10_000 - BOUND - 1 + 30);
    }

    @Test
    void neverGoesBackwards() throws InterruptedException {
        QuietAdvancingWatermarks generator =
                new QuietAdvancingWatermarks(BOUND, QUIET, SystemClock.getInstance());
        Recorder out = new Recorder();
        generator.onEvent(null, 10_000, out);
        Thread.sleep(QUIET + 100);
        generator.onPeriodicEmit(out);
        generator.onEvent(null, 10_001, out);
        generator.onPeriodicEmit(out);

        assertThat(out.watermarks).isSorted().doesNotHaveDuplicates();
    }
}
