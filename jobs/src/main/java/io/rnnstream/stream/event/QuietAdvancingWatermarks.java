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
 * applied and inactivity gaps end sequences even if no newer event ever comes. An instance that has
 * seen no event at all marks itself idle so it does not hold back the others.
 */
public final class QuietAdvancingWatermarks implements WatermarkGenerator<Event> {

    private final long outOfOrderness;
    private final long quietAfter;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long lastEmitted = Long.MIN_VALUE;

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
        if (maxTimestamp == Long.MIN_VALUE) {
            return;
        }
        long watermark = maxTimestamp - outOfOrderness - 1;
        long quietFor = now - lastEventAt;
        if (quietFor > quietAfter) {
            watermark += quietFor - quietAfter;
        }
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
