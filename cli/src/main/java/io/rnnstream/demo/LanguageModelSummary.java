package io.rnnstream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.stream.predict.ContinuationSeed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each text event next to the prediction the stream wrote for it and to what the offline model
 * says after the same history: the surprise stepped over the key's characters, and the continuation
 * generated from the key's text with the stream's seed.
 */
final class LanguageModelSummary {

    private LanguageModelSummary() {}

    static DemoSummary.LanguageModelRun build(
            DemoLanguageModel lm,
            List<DemoLanguageModel.PlannedEvent> events,
            List<JsonNode> predictions,
            int topK,
            double temperature) {
        // A key's prediction is found by the characters its sequence has read, this event's
        // included: one per event.
        Map<String, List<JsonNode>> byPosition = new HashMap<>();
        for (JsonNode p : predictions) {
            byPosition
                    .computeIfAbsent(
                            p.path("key").asText() + "@" + p.path("position").asInt(),
                            k -> new ArrayList<>())
                    .add(p);
        }
        LanguageModel model = lm.model();
        TextGenerator generator = new TextGenerator(model);
        Map<String, KeyHistory> histories = new HashMap<>();
        List<DemoSummary.TextEvent> out = new ArrayList<>();
        double maxDifference = 0;
        for (DemoLanguageModel.PlannedEvent event : events) {
            KeyHistory history = histories.computeIfAbsent(event.key(), k -> new KeyHistory(model));
            double offline = history.read(event.text());
            List<JsonNode> found =
                    byPosition.getOrDefault(event.key() + "@" + history.position(), List.of());
            JsonNode prediction = found.isEmpty() ? null : found.get(0);
            double surprise =
                    prediction == null ? Double.NaN : prediction.path("surprise").asDouble();
            maxDifference =
                    prediction == null
                            ? Double.POSITIVE_INFINITY
                            : Math.max(maxDifference, Math.abs(surprise - offline));
            List<DemoSummary.NextSymbol> next = new ArrayList<>();
            String continuation = null;
            boolean continuationMatches = false;
            if (prediction != null) {
                prediction
                        .path("next")
                        .forEach(
                                n ->
                                        next.add(
                                                new DemoSummary.NextSymbol(
                                                        n.path("symbol").asText(),
                                                        n.path("p").asDouble())));
                if (prediction.hasNonNull("continuation")) {
                    continuation = prediction.get("continuation").asText();
                    String expected =
                            generator.generate(
                                    history.text(),
                                    event.continuation(),
                                    new TokenSampler(
                                            temperature,
                                            0,
                                            ContinuationSeed.of(
                                                    event.key(), null, history.position())));
                    continuationMatches = expected.equals(continuation);
                }
            }
            out.add(
                    new DemoSummary.TextEvent(
                            event.key(),
                            event.index(),
                            event.text(),
                            event.continuation(),
                            found.size(),
                            surprise,
                            offline,
                            List.copyOf(next),
                            continuation,
                            continuationMatches));
        }
        var result = lm.result();
        return new DemoSummary.LanguageModelRun(
                DemoLanguageModel.NAME,
                lm.announcement().version(),
                lm.architecture(),
                "this repository's Java sources (data/rnnstream-java)",
                result.trainTokens(),
                result.history().stream().mapToLong(e -> e.updates()).sum(),
                result.bestValidationLoss(),
                result.trainSeconds(),
                topK,
                out,
                predictions.size(),
                maxDifference,
                lm.cells());
    }

    /** One key's state in the offline model, stepped over the key's text as the stream does. */
    private static final class KeyHistory {
        private final LanguageModel model;
        private final Stepper stepper;
        private final RecurrentState state;
        private final StringBuilder text = new StringBuilder();
        private int position;

        KeyHistory(LanguageModel model) {
            this.model = model;
            this.stepper = model.newStepper();
            this.state = model.initialState();
        }

        /** Steps over {@code event} and returns its surprise in nats. */
        double read(String event) {
            double surprise = 0;
            for (int id : model.encode(event, "a demo event")) {
                surprise += LanguageModel.surprise(stepper.probabilities(state), id);
                model.advance(stepper, state, id);
                position++;
            }
            text.append(event);
            return surprise;
        }

        int position() {
            return position;
        }

        String text() {
            return text.toString();
        }
    }
}
