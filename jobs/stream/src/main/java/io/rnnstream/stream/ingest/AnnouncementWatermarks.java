package io.rnnstream.stream.ingest;

import io.rnnstream.stream.event.RawRecord;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Model announcements carry no event time. Their stream declares the maximum watermark so that the
 * classifier's combined watermark is the events' watermark alone; without it the broadcast input
 * would hold event time at its minimum and no event would ever be applied.
 */
public final class AnnouncementWatermarks implements WatermarkGenerator<RawRecord> {

    private AnnouncementWatermarks() {}

    public static WatermarkStrategy<RawRecord> strategy() {
        return WatermarkStrategy.forGenerator(context -> new AnnouncementWatermarks());
    }

    @Override
    public void onEvent(RawRecord event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.emitWatermark(new Watermark(Long.MAX_VALUE));
    }
}
