package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SoakScheduleTest {

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnotherOne() {
        assertThat(SoakSchedule.plan(20, 8, 1800, 60, 90))
                .isEqualTo(SoakSchedule.plan(20, 8, 1800, 60, 90))
                .isNotEqualTo(SoakSchedule.plan(21, 8, 1800, 60, 90));
    }

    @Test
    void everyKindStrikesEquallyOftenAndEachFaultInItsOwnSlotOfTheWindow() {
        List<SoakSchedule.Planned> plan = SoakSchedule.plan(7, 8, 1800, 60, 90);

        Map<SoakSchedule.Kind, Long> kinds =
                plan.stream()
                        .collect(
                                Collectors.groupingBy(
                                        SoakSchedule.Planned::kind, Collectors.counting()));
        assertThat(kinds).hasSize(4).allSatisfy((kind, n) -> assertThat(n).isEqualTo(2));
        double slot = (1800 - 60 - 90) / 8.0;
        for (int i = 0; i < plan.size(); i++) {
            assertThat(plan.get(i).atSecond()).isBetween(60 + slot * i, 60 + slot * (i + 1));
        }
    }

    @Test
    void fewerFaultsThanKindsAreDistinctKinds() {
        List<SoakSchedule.Planned> plan = SoakSchedule.plan(3, 3, 600, 60, 90);

        assertThat(plan.stream().map(SoakSchedule.Planned::kind).distinct()).hasSize(3);
    }

    @Test
    void aSoakTooShortForItsQuietStretchesIsRefusedWithTheReason() {
        assertThatThrownBy(() -> SoakSchedule.plan(1, 4, 120, 60, 90))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("120.0 s leaves no time for faults");
        assertThatThrownBy(() -> SoakSchedule.plan(1, 0, 600, 60, 90))
                .hasMessageContaining("faults: expected at least 1, got 0");
    }
}
