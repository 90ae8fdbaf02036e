package io.rnnstream.stream.evaluate;

import io.rnnstream.stream.classify.Prediction;
import io.rnnstream.stream.event.EventParser;
import io.rnnstream.stream.event.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the labelled-events topic (the retraining input) for the live evaluation: each record that
 * carries a {@code label} becomes a {@link Label}. Unlabelled and unusable records are skipped and
 * counted, not dead-lettered: the topic belongs to the retraining job, which reports them.
 */
public final class ParseLabels extends ProcessFunction<RawRecord, Label> {

    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;
    private final String defaultModel;
    private transient EventParser parser;
    private transient Counter labels;
    private transient Counter unusable;

    public ParseLabels(int maxRecordBytes, String defaultModel) {
        this.maxRecordBytes = maxRecordBytes;
        this.defaultModel = defaultModel;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new EventParser(maxRecordBytes, defaultModel);
        labels = getRuntimeContext().getMetricGroup().counter("labelsIn");
        unusable = getRuntimeContext().getMetricGroup().counter("labelledRecordsUnusable");
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<Label> out) {
        EventParser.LabelledResult parsed = parser.parseLabelled(record);
        if (parsed.event() == null) {
            unusable.inc();
            return;
        }
        if (parsed.label() == null) {
            return;
        }
        labels.inc();
        out.collect(
                new Label(
                        parsed.event().model(),
                        parsed.event().key(),
                        Prediction.pairId(parsed.event().sequenceId(), parsed.event().timestamp()),
                        parsed.label()));
    }
}
