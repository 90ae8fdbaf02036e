package io.rnnstream.stream.ingest;

import io.rnnstream.stream.event.Event;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded out-of-orderness watermarks that keep moving when the input goes quiet.
 *
 * <p>While events flow, the watermark trails the newest event time by the allowed out-of-orderness,
 * as Flink's bounded generator does. When no event has arrived for {@code quietAfter} of wall-clock
 * time, event time advances with the wall clock from there, so the last events of a burst are
 * applied and inactivity gaps end sequences even if no newer event ever comes.
 *
 * <p>An instance that has seen no event at all follows the wall clock once {@code quietAfter} has
 * passed since it started, so an empty partition never holds event time back. It is not marked
 * idle: when every event input of the classifier is idle, its watermark would jump to the broadcast
 * input's (the maximum) and every later event would be late. The price: an instance whose first
 * events arrive more than {@code quietAfter} after start-up, carrying older event times, sees them
 * as late.
 *
 * <p>Quiet time is measured on Flink's input-activity clock, which stops while the operator is
 * back-pressured: when the classifier falls behind, the source stops handing over events, and a
 * wall clock would count that as quiet and push event time past the events still waiting in Kafka,
 * making them late.
 */
public final class QuietAdvancingWatermarks implements WatermarkGenerator<Event> {

    private final long outOfOrderness;
    private final long quietAfter;
    private long maxTimestamp = Long.MIN_VALUE;
    private final RelativeClock inputActivity;
    private long lastEventAt;
    private long lastEmitted = Long.MIN_VALUE;
    private final long startedAtWallClock = System.currentTimeMillis();
    private final long startedAt;

    /**
     * @param inputActivity measures quiet time; Flink's {@code getInputActivityClock()} pauses
     *     while the input is blocked by backpressure
     */
    public QuietAdvancingWatermarks(
            long outOfOrdernessMillis, long quietAfterMillis, RelativeClock inputActivity) {
        this.outOfOrderness = outOfOrdernessMillis;
        this.quietAfter = quietAfterMillis;
        this.inputActivity = inputActivity;
        this.startedAt = inputActivity.relativeTimeMillis();
    }

    @Override
    public void onEvent(Event event, long timestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        lastEventAt = inputActivity.relativeTimeMillis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = inputActivity.relativeTimeMillis();
        long watermark;
        long quietFor;
        if (maxTimestamp == Long.MIN_VALUE) {
            watermark = startedAtWallClock - outOfOrderness - 1;
            quietFor = now - startedAt;
            if (quietFor <= quietAfter) {
                return;
            }
        } else {
            watermark = maxTimestamp - outOfOrderness - 1;
            quietFor = now - lastEventAt;
        }
        if (quietFor > quietAfter) {
            watermark += quietFor - quietAfter;
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
