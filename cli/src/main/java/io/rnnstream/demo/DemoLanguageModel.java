package io.rnnstream.demo;

import io.rnnstream.cells.CellsFigures;
import io.rnnstream.core.inspect.CellActivations;
import io.rnnstream.core.inspect.TextProperty;
import io.rnnstream.core.inspect.UnitScores;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.train.ArtifactFactory;
import io.rnnstream.core.train.LanguageModelArtifacts;
import io.rnnstream.core.train.NextTokenTrainer;
import io.rnnstream.stream.model.ModelAnnouncement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The demo's language model: a small character model trained on the start of a shipped text and
 * written as version 1 to the model store, the text events its keys send (consecutive lines of the
 * text's held-out end), and the hidden units that track properties of that held-out text.
 */
final class DemoLanguageModel {

    /** The model's name in the store, on the models topic and in the events. */
    static final String NAME = "code-lm";

    /** Held-out characters of the text the validation loss is measured on. */
    private static final int VALIDATION_CHARACTERS = 8_000;

    /** Units listed per property in the cells table. */
    private static final int TOP_UNITS = 3;

    /** A text event of a key before it is sent; {@code continuation} 0 asks for none. */
    record PlannedEvent(String key, int index, String text, int continuation) {}

    private final DemoPlan.LanguageModelPlan plan;
    private final NextTokenTrainer.Result result;
    private final LanguageModel model;
    private final String heldOut;
    private final ModelAnnouncement announcement;

    private DemoLanguageModel(
            DemoPlan.LanguageModelPlan plan,
            NextTokenTrainer.Result result,
            String heldOut,
            ModelAnnouncement announcement) {
        this.plan = plan;
        this.result = result;
        this.model = result.languageModel();
        this.heldOut = heldOut;
        this.announcement = announcement;
    }

    /**
     * Trains on the first {@link DemoPlan.LanguageModelPlan#trainCharacters()} of the corpus,
     * validates on the start of its last tenth, and writes version 1 under {@code models}.
     */
    static DemoLanguageModel train(DemoPlan.LanguageModelPlan plan, Path data, DemoModels models)
            throws IOException {
        Path corpus = data.resolve(plan.corpus());
        String text = Files.readString(corpus, StandardCharsets.UTF_8);
        // The whole text's alphabet, so that every held-out line can be sent as an event.
        Alphabet alphabet = Alphabet.of(text);
        int heldOutStart = lineStart(text, (int) (text.length() * 0.9));
        if (plan.trainCharacters() > heldOutStart) {
            throw new DemoException(
                    corpus
                            + " has "
                            + heldOutStart
                            + " characters before its held-out tenth; the plan trains on "
                            + plan.trainCharacters());
        }
        String heldOut = text.substring(heldOutStart);
        int[] train = alphabet.encode(text.substring(0, plan.trainCharacters()), corpus.toString());
        int[] validation =
                Arrays.copyOf(
                        alphabet.encode(heldOut, corpus.toString()),
                        Math.min(VALIDATION_CHARACTERS, heldOut.length()));
        NextTokenTrainer.Result result =
                NextTokenTrainer.train(
                        train,
                        validation,
                        alphabet.symbols(),
                        InputKind.FEATURES,
                        plan.options(),
                        0,
                        null);
        Path target = models.directory(NAME, 1);
        String sha256 =
                LanguageModelArtifacts.write(
                        target,
                        result,
                        LanguageModelArtifacts.manifest(
                                result,
                                NAME,
                                1,
                                new ArtifactFactory.Provenance(
                                        plan.corpus(), "text-characters", null, "demo", null),
                                java.util.Map.of()));
        return new DemoLanguageModel(
                plan,
                result,
                heldOut,
                new ModelAnnouncement(NAME, 1, target.toUri().toString(), sha256));
    }

    ModelAnnouncement announcement() {
        return announcement;
    }

    LanguageModel model() {
        return model;
    }

    NextTokenTrainer.Result result() {
        return result;
    }

    /** E.g. {@code LSTM, 1 layer of 48 units, one-hot input over 97 characters}. */
    String architecture() {
        return String.format(
                Locale.ROOT,
                "%s, %d layer(s) of %d units, one-hot input over %d characters",
                model.spec().cell().name(),
                model.spec().layers(),
                model.spec().hiddenSize(),
                model.size());
    }

    /**
     * Each key reads its own stretch of the held-out text, one line per event (blank lines
     * skipped), the stretches spread over the held-out part; the last event of each key asks for a
     * continuation.
     */
    List<PlannedEvent> events() {
        List<PlannedEvent> events = new ArrayList<>();
        int stride = heldOut.length() / (plan.keys() + 1);
        for (int k = 0; k < plan.keys(); k++) {
            String key = "reader-" + k;
            int at = lineStart(heldOut, (k + 1) * stride);
            for (int e = 1; e <= plan.eventsPerKey() && at < heldOut.length(); ) {
                int end = heldOut.indexOf('\n', at);
                end = end < 0 ? heldOut.length() : end + 1;
                String line = heldOut.substring(at, end);
                at = end;
                if (!line.isBlank()) {
                    int continuation = e == plan.eventsPerKey() ? plan.continuation() : 0;
                    events.add(new PlannedEvent(key, e, line, continuation));
                    e++;
                }
            }
        }
        return events;
    }

    /** The units that track properties of the held-out text's start, coloured over its start. */
    CellsFigures cells() {
        String text = heldOut.substring(0, Math.min(plan.cellsCharacters(), heldOut.length()));
        CellActivations activations =
                CellActivations.record(model, model.encode(text, "the held-out text"));
        var scores = UnitScores.rank(activations, text, TextProperty.all(), TOP_UNITS);
        return CellsFigures.of(
                text, plan.cellsShown(), activations, scores, CellsFigures.bestUnits(scores));
    }

    /** The start of the line that holds {@code index}, or the text's end. */
    private static int lineStart(String text, int index) {
        if (index <= 0) {
            return 0;
        }
        int newline = text.lastIndexOf('\n', index - 1);
        return newline + 1;
    }
}
