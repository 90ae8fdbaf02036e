package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.model.ModelRole;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrainConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", "localhost:9092");
        settings.put("model.name", "sentiment");
        settings.put("model.store", "s3://models");
        return settings;
    }

    private static RetrainConfig with(String key, String value) {
        Map<String, String> settings = minimal();
        settings.put(key, value);
        return RetrainConfig.fromMap(settings);
    }

    @Test
    void defaultsAreSaneAndTrainingUsesTruncatedBptt() {
        RetrainConfig config = RetrainConfig.fromMap(minimal());
        assertThat(config.from().kind()).isEqualTo(OffsetBound.Kind.REMEMBERED);
        assertThat(config.to().kind()).isEqualTo(OffsetBound.Kind.LATEST);
        assertThat(config.training().tbpttLength()).isZero();
        assertThat(config.gateMargin()).isEqualTo(0.01);
        assertThat(config.warmStart()).isTrue();
        assertThat(config.publishRole())
                .as("published versions run as shadows first")
                .isEqualTo(ModelRole.SHADOW);
        assertThat(with("publish.role", "serving").publishRole()).isEqualTo(ModelRole.SERVING);
        assertThat(config.firstVersion())
                .as("a first version is declared, never assumed")
                .isFalse();
        assertThat(config.minHoldout()).isEqualTo(1600);
    }

    @Test
    void theDefaultHoldoutMinimumMakesTheStandardErrorOfAnAccuracyNearPointEightTheMargin() {
        RetrainConfig config = RetrainConfig.fromMap(minimal());
        double standardError = Math.sqrt(0.8 * 0.2 / config.minHoldout());
        assertThat(standardError).isCloseTo(config.gateMargin(), within(1e-12));
    }

    @Test
    void aFirstVersionCannotBeDeclaredBesideAnInitialVersion() {
        Map<String, String> settings = minimal();
        settings.put("gate.first-version", "true");
        assertThat(RetrainConfig.fromMap(settings).firstVersion()).isTrue();
        settings.put("model.initial.uri", "s3://models/sentiment/1");
        assertThatThrownBy(() -> RetrainConfig.fromMap(settings))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gate.first-version: model.initial.uri is set");
    }

    @Test
    void timesAreReadAsInstantsOrEpochMillis() {
        assertThat(with("labelled.from", "2026-11-27T10:00:00Z").from().timestamp())
                .isEqualTo(1795773600000L);
        assertThat(with("labelled.to", "1700000000000").to().timestamp()).isEqualTo(1700000000000L);
    }

    @Test
    void badValuesNameTheSettingAndWhatWasExpected() {
        assertThatThrownBy(() -> with("labelled.from", "yesterday"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("labelled.from")
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> with("labelled.to", "earliest"))
                .hasMessageContaining("labelled.to");
        assertThatThrownBy(() -> with("gate.margin", "2"))
                .hasMessageContaining("gate.margin: expected a number from 0.0 to 1.0");
        assertThatThrownBy(() -> with("gate.metric", "auc")).hasMessageContaining("macro-f1");
        assertThatThrownBy(() -> with("gate.min-holdout", "0"))
                .hasMessageContaining("gate.min-holdout");
        assertThatThrownBy(() -> with("gate.first-version", "yes"))
                .hasMessageContaining("gate.first-version: expected true or false");
        assertThatThrownBy(() -> with("train.supervision", "sometimes"))
                .hasMessageContaining("train.supervision")
                .hasMessageContaining("every-step");
        assertThatThrownBy(() -> with("publish.role", "canary"))
                .hasMessageContaining("publish.role: expected one of [serving, shadow]");
        assertThatThrownBy(() -> with("publish.role", "retired"))
                .hasMessageContaining("publish.role: expected one of [serving, shadow]")
                .hasMessageContaining("got 'retired'");
        assertThatThrownBy(() -> with("warm-start", "yes"))
                .hasMessageContaining("warm-start: expected true or false");
        assertThatThrownBy(() -> with("model.nmae", "x"))
                .hasMessageContaining("unknown setting 'model.nmae'");
    }

    @Test
    void requiredSettingsAreNamed() {
        Map<String, String> settings = minimal();
        settings.remove("model.store");
        assertThatThrownBy(() -> RetrainConfig.fromMap(settings))
                .hasMessageContaining("model.store is required");
    }

    @Test
    void offsetRangesRoundTripThroughProvenance() {
        OffsetRange range =
                new OffsetRange("labelled", Map.of(0, 3L, 1, 0L), Map.of(0, 40L, 1, 7L));
        assertThat(range.encode()).isEqualTo("labelled:0=3-40,1=0-7");
        assertThat(range.offsets()).isEqualTo(44);
        assertThat(OffsetRange.decodeEnds(range.encode(), "labelled"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(0, 40L, 1, 7L));
        assertThat(OffsetRange.decodeEnds(range.encode(), "other")).isEmpty();
        assertThat(OffsetRange.decodeEnds("labelled:garbage", "labelled")).isEmpty();
    }
}
