package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StateKeyTest {

    @Test
    void modelAndEntityComeBackOutEvenWhenTheEntityContainsTheSeparator() {
        String key = StateKey.of("sentiment", "chat\u00004");
        assertThat(StateKey.model(key)).isEqualTo("sentiment");
        assertThat(StateKey.entity(key)).isEqualTo("chat\u00004");
    }

    @Test
    void twoModelsNeverShareAnEntitysKey() {
        assertThat(StateKey.of("a", "k")).isNotEqualTo(StateKey.of("b", "k"));
    }

    @Test
    void aStringWithoutAModelPartIsRefused() {
        assertThatThrownBy(() -> StateKey.model("k1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no model part");
    }
}
