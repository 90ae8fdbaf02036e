package io.rnnstream.retrain;

import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.EventParser;
import io.rnnstream.stream.event.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses labelled-topic records with the streaming job's parser; records it refuses go to {@link
 * #PROBLEMS} with the parser's reason, so they are counted and reported rather than dropped.
 */
final class ParseLabelledEvents extends ProcessFunction<RawRecord, LabelledStep> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<AssembledSequence> PROBLEMS =
            new OutputTag<>("unusable-records", TypeInformation.of(AssembledSequence.class));

    private final int maxRecordBytes;
    private transient EventParser parser;

    ParseLabelledEvents(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<LabelledStep> out) {
        if (parser == null) {
            // The model field does not matter here: the run retrains one model.
            parser = new EventParser(maxRecordBytes, "-");
        }
        EventParser.LabelledResult result = parser.parseLabelled(record);
        String where = "partition " + record.partition() + " offset " + record.offset();
        if (result.deadLetter() != null) {
            ctx.output(
                    PROBLEMS,
                    AssembledSequence.problem(
                            null,
                            null,
                            result.deadLetter().reason().code(),
                            result.deadLetter().message(),
                            where));
            return;
        }
        Event event = result.event();
        out.collect(
                new LabelledStep(
                        event.key(),
                        event.sequenceId(),
                        event.timestamp(),
                        record.partition(),
                        record.offset(),
                        event.features(),
                        event.tokens(),
                        event.end(),
                        result.label()));
    }
}
