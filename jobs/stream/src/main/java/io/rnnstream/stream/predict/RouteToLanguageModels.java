package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.Event;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits the parsed events: those of a language model go to {@link #LANGUAGE_MODELS}, those of a
 * classifier stay on the main output, and a classifier's events that also feed language models (see
 * {@link PredictionSettings#feeds()}) go to both, once per language model.
 */
public final class RouteToLanguageModels extends ProcessFunction<Event, Event> {

    private static final long serialVersionUID = 1L;

    /** Events for the language-model path, each naming its language model. */
    public static final OutputTag<Event> LANGUAGE_MODELS =
            new OutputTag<>("language-model-events") {};

    private final PredictionSettings settings;

    public RouteToLanguageModels(PredictionSettings settings) {
        this.settings = settings;
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<Event> out) {
        if (settings.models().contains(event.model())) {
            ctx.output(LANGUAGE_MODELS, event);
            return;
        }
        out.collect(event);
        for (String languageModel : settings.fedBy(event.model())) {
            ctx.output(LANGUAGE_MODELS, event.forModel(languageModel));
        }
    }
}
