package io.rnnstream.demo;

import io.rnnstream.core.model.TrainingOptions;
import java.nio.file.Path;

/**
 * How big a demo run is: the models' training options, how many held-out sequences are streamed and
 * how fast. {@link #full} is the newcomer's run (a few minutes on 2 cores); {@link #quick} is the
 * reduced run CI uses, where the models are barely trained and only the mechanics count.
 *
 * @param quick whether this is the reduced run
 * @param dataDirectory the repository's {@code data/} directory
 * @param out where models, report and summary are written
 * @param rate events per second the replay sends at most (0: as fast as it can)
 * @param motionSequences BasicMotions test sequences streamed (at most 40)
 * @param motionV1PerClass training sequences per class version 1 of the motion model learns from;
 *     the retraining round then learns from all of them, read back from Kafka
 * @param motionOptions training of motion version 1
 * @param retrainEpochs epoch limit of the retraining round
 * @param gateMargin the retraining quality gate's margin (1 publishes any candidate)
 * @param sentimentTrain VADER movie snippets the sentiment model trains on
 * @param sentimentSequences held-out snippets streamed
 * @param sentimentOptions training of the sentiment model
 * @param devices distinct device keys the motion sequences are spread over
 * @param conversations distinct conversation keys the snippets are spread over
 * @param languageModel the language-model part
 */
public record DemoPlan(
        boolean quick,
        Path dataDirectory,
        Path out,
        int rate,
        int motionSequences,
        int motionV1PerClass,
        TrainingOptions motionOptions,
        int retrainEpochs,
        double gateMargin,
        int sentimentTrain,
        int sentimentSequences,
        TrainingOptions sentimentOptions,
        int devices,
        int conversations,
        LanguageModelPlan languageModel) {

    private static final long SEED = 42;

    /**
     * The language-model part: a small character model trained on the start of a shipped text, then
     * a few keys each sending consecutive lines of the text's held-out end as events.
     *
     * @param corpus the text, relative to the data directory
     * @param trainCharacters characters from the text's start the model learns from, in one pass
     * @param options the model and its training; one epoch
     * @param keys keys that send text events
     * @param eventsPerKey text events per key, one line each; the last asks for a continuation
     * @param continuation symbols the last event of each key asks for
     * @param cellsCharacters held-out characters the units are scored on
     * @param cellsShown characters of them coloured per unit in the report
     */
    public record LanguageModelPlan(
            String corpus,
            int trainCharacters,
            TrainingOptions options,
            int keys,
            int eventsPerKey,
            int continuation,
            int cellsCharacters,
            int cellsShown) {}

    /**
     * A character LSTM on this repository's own Java sources, whose units have code structure (line
     * position, indentation, braces, comments) to track. Short windows and a high learning rate
     * give it many updates in a short time: DL4J's cost per update grows with the window's steps
     * far more than with the streams read side by side.
     */
    private static LanguageModelPlan languageModel(
            int trainCharacters,
            int hidden,
            int streams,
            int keys,
            int eventsPerKey,
            int continuation) {
        return new LanguageModelPlan(
                "rnnstream-java/rnnstream-java.txt",
                trainCharacters,
                io.rnnstream.core.train.NextTokenTrainer.defaultOptions().toBuilder()
                        .hiddenSize(hidden)
                        .batchSize(streams)
                        .tbpttLength(25)
                        .learningRate(1e-2)
                        .maxEpochs(1)
                        .patience(1)
                        .seed(SEED)
                        .build(),
                keys,
                eventsPerKey,
                continuation,
                4000,
                700);
    }

    /** The full demo: models good enough to be worth looking at, a few minutes on 2 cores. */
    public static DemoPlan full(Path data, Path out, int rate) {
        return new DemoPlan(
                false,
                data,
                out,
                rate,
                40,
                3,
                TrainingOptions.defaults().toBuilder()
                        .hiddenSize(16)
                        .maxEpochs(10)
                        .patience(10)
                        .validationFraction(0.34)
                        .seed(SEED)
                        .build(),
                15,
                0.05,
                4000,
                400,
                TrainingOptions.defaults().toBuilder()
                        .hiddenSize(24)
                        .embeddingSize(24)
                        .maxEpochs(3)
                        .patience(3)
                        .maxVocabulary(3000)
                        .seed(SEED)
                        .build(),
                20,
                100,
                languageModel(512_000, 64, 32, 4, 6, 160));
    }

    /** The reduced run for CI: tiny, barely trained models; every mechanism still runs. */
    public static DemoPlan quick(Path data, Path out, int rate) {
        return new DemoPlan(
                true,
                data,
                out,
                rate,
                16,
                3,
                TrainingOptions.defaults().toBuilder()
                        .hiddenSize(8)
                        .maxEpochs(2)
                        .patience(2)
                        .validationFraction(0.34)
                        .seed(SEED)
                        .build(),
                2,
                1.0,
                300,
                60,
                TrainingOptions.defaults().toBuilder()
                        .hiddenSize(8)
                        .embeddingSize(8)
                        .maxEpochs(1)
                        .patience(1)
                        .maxVocabulary(1000)
                        .seed(SEED)
                        .build(),
                8,
                20,
                languageModel(8_000, 16, 16, 3, 4, 40));
    }

    public String mode() {
        return quick ? "quick" : "full";
    }
}
