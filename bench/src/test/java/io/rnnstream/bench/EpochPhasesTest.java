package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpochPhasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void phasesAreTheFirstEpochEpochsTwoToFiveAndTheRestInMillisecondsPerEpoch() throws Exception {
        EpochPhases phases =
                EpochPhases.of(JSON.readTree("[0.1, 0.04, 0.05, 0.06, 0.05, 0.02, 0.03]"));

        assertThat(phases.firstMs()).isCloseTo(100, within(1e-9));
        assertThat(phases.secondToFifthMs()).isCloseTo(50, within(1e-9));
        assertThat(phases.laterMs()).isCloseTo(25, within(1e-9));
    }

    @Test
    void aPhaseTheRunDidNotReachIsNotANumber() throws Exception {
        EpochPhases phases = EpochPhases.of(JSON.readTree("[0.1, 0.04]"));

        assertThat(phases.secondToFifthMs()).isCloseTo(40, within(1e-9));
        assertThat(phases.laterMs()).isNaN();
    }

    @Test
    void mediansAreTakenPhaseByPhaseOverTheRunsWithTheirCollectorPauses() throws Exception {
        List<JsonNode> runs =
                List.of(
                        run("[0.3, 0.1, 0.1, 0.1, 0.1, 0.01]", 0.5),
                        run("[0.1, 0.2, 0.2, 0.2, 0.2, 0.03]", 0.1),
                        run("[0.2, 0.3, 0.3, 0.3, 0.3, 0.02]", 0.3));

        Map<String, Object> medians = EpochPhases.medians(runs);

        assertThat((double) medians.get("firstMs")).isCloseTo(200, within(1e-9));
        assertThat((double) medians.get("secondToFifthMs")).isCloseTo(200, within(1e-9));
        assertThat((double) medians.get("laterMs")).isCloseTo(20, within(1e-9));
        assertThat((double) medians.get("gcSeconds")).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void runsWithoutCollectorFiguresGetNone() throws Exception {
        Map<String, Object> medians =
                EpochPhases.medians(List.of(JSON.readTree("{\"epochSeconds\": [0.1]}")));

        assertThat(medians).doesNotContainKey("gcSeconds");
    }

    private static JsonNode run(String epochSeconds, double gcSeconds) throws Exception {
        return JSON.readTree(
                "{\"epochSeconds\": " + epochSeconds + ", \"gcSeconds\": " + gcSeconds + "}");
    }
}
