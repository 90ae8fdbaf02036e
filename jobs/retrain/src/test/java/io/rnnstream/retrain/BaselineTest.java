package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A language model is never the baseline a classifier's retraining compares with. */
class BaselineTest {

    @TempDir Path store;

    @Test
    void aLanguageModelAnnouncedUnderTheModelsNameIsRefusedAsBaseline() throws Exception {
        TestModels.Written languageModel =
                TestModels.characterLanguageModel(
                        store.resolve("sentiment/3"), "sentiment", 3, 1, CellType.LSTM, "abc ");

        Baseline baseline = Baseline.find(config(Map.of()), List.of(languageModel.announcement()));

        assertThat(baseline.service()).isNull();
        assertThat(baseline.refused())
                .singleElement()
                .asString()
                .contains(
                        "sentiment version 3 is a next-token language model, where a classifier"
                                + " is expected");
        assertThat(baseline.missing()).contains("no announced version of sentiment could be read");
    }

    @Test
    void aLanguageModelAsTheInitialModelIsASettingsError() throws Exception {
        TestModels.Written languageModel =
                TestModels.characterLanguageModel(
                        store.resolve("sentiment/1"), "sentiment", 1, 1, CellType.LSTM, "abc ");

        assertThatThrownBy(
                        () ->
                                Baseline.find(
                                        config(
                                                Map.of(
                                                        "model.initial.uri",
                                                        languageModel
                                                                .directory()
                                                                .toUri()
                                                                .toString())),
                                        List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("model.initial.uri holds a next-token language model");
    }

    private RetrainConfig config(Map<String, String> extra) {
        Map<String, String> settings = new java.util.HashMap<>(extra);
        settings.put("bootstrap.servers", "localhost:9092");
        settings.put("model.name", "sentiment");
        settings.put("model.store", store.toUri().toString());
        return RetrainConfig.fromMap(settings);
    }
}
