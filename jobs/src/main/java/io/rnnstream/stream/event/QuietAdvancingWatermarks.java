package io.rnnstream.stream.event;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

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
 */
public final class QuietAdvancingWatermarks implements WatermarkGenerator<Event> {

    private final long outOfOrderness;
    private final long quietAfter;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long lastEmitted = Long.MIN_VALUE;
    private final long startedAt = System.currentTimeMillis();

    public QuietAdvancingWatermarks(long outOfOrdernessMillis, long quietAfterMillis) {
        this.outOfOrderness = outOfOrdernessMillis;
        this.quietAfter = quietAfterMillis;
    }

    @Override
    public void onEvent(Event event, long timestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        lastEventAt = System.currentTimeMillis();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = System.currentTimeMillis();
        long watermark;
        long quietFor;
        if (maxTimestamp == Long.MIN_VALUE) {
            watermark = startedAt - outOfOrderness - 1;
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
