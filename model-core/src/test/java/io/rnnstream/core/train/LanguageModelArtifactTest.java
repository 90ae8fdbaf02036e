package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.Initialization;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.Objective;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.text.Tokenizer;
import io.rnnstream.core.text.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A language model's artifact: the objective in its manifest, its symbols and input restored on
 * load, and each kind of consumer refusing the other kind of model by name.
 */
class LanguageModelArtifactTest {

    private static final String TEXT = "to be, or not to be: that is the question.\n".repeat(20);

    @TempDir static Path work;

    private static NextTokenTrainer.Result characters;
    private static Path characterArtifact;
    private static Path classifierArtifact;

    @BeforeAll
    static void trainAndWrite() throws IOException {
        Alphabet alphabet = Alphabet.of(TEXT);
        int[] ids = alphabet.encode(TEXT, "text");
        characters = train(ids, alphabet.symbols(), InputKind.FEATURES);
        characterArtifact = work.resolve("chars/1");
        LanguageModelArtifacts.write(
                characterArtifact,
                characters,
                LanguageModelArtifacts.manifest(characters, "chars", 1, provenance(), Map.of()));

        TrainedModel classifier =
                SequenceTrainer.train(
                        TestData.slice(
                                TsReader.read(TestData.path("basicmotions/BasicMotions_TRAIN.ts")),
                                2),
                        TrainingOptions.builder().hiddenSize(4).maxEpochs(1).build(),
                        null);
        classifierArtifact = work.resolve("motions/1");
        ArtifactFactory.write(
                classifierArtifact,
                classifier,
                ArtifactFactory.manifest(classifier, "motions", 1, provenance(), Map.of()));
    }

    @Test
    void aCharacterModelLoadsWithItsObjectiveAlphabetAndFigures() throws IOException {
        ModelArtifact loaded = ModelArtifact.load(new DirectorySource(characterArtifact), null);

        assertThat(loaded.objective()).isEqualTo(Objective.NEXT_TOKEN);
        LanguageModel model = loaded.requireLanguageModel("test");
        assertThat(model.unit()).isEqualTo(LanguageModel.Unit.CHARACTER);
        assertThat(model.symbols()).isEqualTo(Alphabet.of(TEXT).symbols());
        assertThat(loaded.manifest().metrics())
                .containsKeys("validationNatsPerSymbol", "validationBitsPerSymbol", "trainTokens");
        assertThat(loaded.manifest().training().tbpttLength()).isEqualTo(20);
        assertThat(manifestJson(characterArtifact))
                .contains("\"objective\" : \"next-token\"")
                .contains("\"gradientNormClip\" : 5.0")
                .contains("\"forgetGateBias\" : 0.0")
                .contains("\"initialization\" : \"UNIFORM_HIDDEN\"");
        assertThat(loaded.manifest().training().forgetGateBias()).isZero();
        assertThat(loaded.manifest().training().initialization())
                .isEqualTo(Initialization.UNIFORM_HIDDEN);
    }

    @Test
    void theLoadedModelGeneratesWhatTheTrainedOneDoes() throws IOException {
        LanguageModel loaded =
                ModelArtifact.load(new DirectorySource(characterArtifact), null)
                        .requireLanguageModel("test");

        String fromArtifact =
                new TextGenerator(loaded).generate("to be", 60, new TokenSampler(0.8, 0, 3));
        String fromTraining =
                new TextGenerator(characters.languageModel())
                        .generate("to be", 60, new TokenSampler(0.8, 0, 3));

        assertThat(fromArtifact).hasSize(60).isEqualTo(fromTraining);
    }

    @Test
    void aClassifierIsRefusedWhereALanguageModelIsExpectedAndTheOtherWayRound() throws IOException {
        ModelArtifact classifier =
                ModelArtifact.load(new DirectorySource(classifierArtifact), null);
        ModelArtifact languageModel =
                ModelArtifact.load(new DirectorySource(characterArtifact), null);

        assertThatThrownBy(() -> classifier.requireLanguageModel("models/motions/1"))
                .isInstanceOf(ArtifactException.class)
                .hasMessage(
                        "models/motions/1: motions version 1 is a classification model, where a"
                                + " next-token language model is expected");
        assertThatThrownBy(() -> languageModel.requireClassifier("models/chars/1"))
                .isInstanceOf(ArtifactException.class)
                .hasMessage(
                        "models/chars/1: chars version 1 is a next-token language model, where a"
                                + " classifier is expected");
        assertThatThrownBy(
                        () ->
                                ArtifactFactory.warmStart(
                                        new DirectorySource(characterArtifact), languageModel))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("where a classifier is expected");
    }

    @Test
    void aClassifiersManifestDoesNotNameAnObjectiveSoOlderReadersStillReadIt() throws IOException {
        assertThat(manifestJson(classifierArtifact))
                .doesNotContain("objective")
                .doesNotContain("gradientNormClip")
                .doesNotContain("forgetGateBias")
                .doesNotContain("initialization");
        assertThat(ModelArtifact.load(new DirectorySource(classifierArtifact), null).objective())
                .isEqualTo(Objective.CLASSIFICATION);
    }

    @Test
    void aWordModelEmbedsTokenIdsAndPredictsItsVocabulary() {
        Vocabulary vocabulary = Vocabulary.build(List.of(Tokenizer.tokenize(TEXT)), 1, 100);
        int[] ids = vocabulary.encode(Tokenizer.tokenize(TEXT));

        LanguageModel model = train(ids, vocabulary.tokens(), InputKind.TOKENS).languageModel();

        assertThat(model.unit()).isEqualTo(LanguageModel.Unit.WORD);
        assertThat(model.encode("To be or NOT, zebra", "text"))
                .containsExactly(
                        vocabulary.id("to"),
                        vocabulary.id("be"),
                        vocabulary.id("or"),
                        vocabulary.id("not"),
                        Vocabulary.UNKNOWN_ID);
        assertThat(new TextGenerator(model).generate("to be", 5, new TokenSampler(0, 0, 1)))
                .matches("[a-z<>]+( [a-z<>]+){4}");
    }

    @Test
    void anUnknownCharacterIsNamedWithItsLineAndColumn() {
        LanguageModel model = characters.languageModel();

        assertThatThrownBy(() -> model.encode("to be\nor Z", "the prime"))
                .hasMessage(
                        "the prime line 2 column 4: character 'Z' (U+005A) is not in the model's"
                                + " alphabet of "
                                + model.size());
    }

    private static NextTokenTrainer.Result train(int[] ids, List<String> symbols, InputKind input) {
        int split = ids.length * 9 / 10;
        return NextTokenTrainer.train(
                java.util.Arrays.copyOf(ids, split),
                java.util.Arrays.copyOfRange(ids, split, ids.length),
                symbols,
                input,
                TrainingOptions.builder()
                        .hiddenSize(8)
                        .embeddingSize(4)
                        .batchSize(2)
                        .tbpttLength(20)
                        .maxEpochs(1)
                        .gradientClip(0)
                        .gradientNormClip(5)
                        .forgetGateBias(0)
                        .initialization(Initialization.UNIFORM_HIDDEN)
                        .build(),
                0,
                null);
    }

    private static ArtifactFactory.Provenance provenance() {
        return new ArtifactFactory.Provenance("text.txt", "text", null, "test", null);
    }

    private static String manifestJson(Path artifact) throws IOException {
        return Files.readString(artifact.resolve(ModelArtifact.MANIFEST), StandardCharsets.UTF_8);
    }
}
