package io.rnnstream.stream.ingest;

import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterCounters;
import io.rnnstream.stream.event.Event;
import io.rnnstream.stream.event.EventParser;
import io.rnnstream.stream.event.RawRecord;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns raw records into events; bad ones go to the dead-letter side output, never fail the job.
 */
public final class ParseEvents extends ProcessFunction<RawRecord, Event> {

    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;
    private final String defaultModel;
    private final Set<String> languageModels;
    private transient EventParser parser;
    private transient Counter eventsIn;
    private transient DeadLetterCounters deadLetters;

    /**
     * @param languageModels the job's language models, whose events are parsed by their rules
     */
    public ParseEvents(int maxRecordBytes, String defaultModel, Set<String> languageModels) {
        this.maxRecordBytes = maxRecordBytes;
        this.defaultModel = defaultModel;
        this.languageModels = Set.copyOf(languageModels);
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new EventParser(maxRecordBytes, defaultModel, languageModels);
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        deadLetters = new DeadLetterCounters(metrics);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<Event> out) {
        eventsIn.inc();
        EventParser.Result result = parser.parse(record);
        if (result.event() != null) {
            out.collect(result.event());
        } else {
            deadLetters.count(result.deadLetter());
            ctx.output(DeadLetter.SIDE_OUTPUT, result.deadLetter());
        }
    }
}
