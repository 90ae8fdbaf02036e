package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceAssemblerTest {

    private static LabelledStep step(String seq, long ts, int dim, boolean end, String label) {
        return new LabelledStep("k", seq, ts, 0, ts, new float[dim], null, end, label);
    }

    private static List<AssembledSequence> assemble(LabelledStep... steps) {
        List<LabelledStep> ordered = new ArrayList<>(List.of(steps));
        ordered.sort(SequenceAssembler.EVENT_ORDER);
        List<AssembledSequence> out = new ArrayList<>();
        SequenceAssembler.assemble("k", ordered, out::add);
        return out;
    }

    @Test
    void eventsAreOrderedByEventTimeAndTheLabelEndsTheSequence() {
        List<AssembledSequence> out =
                assemble(
                        step("a", 3, 2, true, "walk"),
                        step("a", 1, 2, false, null),
                        step("a", 2, 2, false, null));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).problem()).isNull();
        assertThat(out.get(0).label()).isEqualTo("walk");
        assertThat(out.get(0).features()).hasNumberOfRows(3);
        assertThat(out.get(0).where()).isEqualTo("partition 0 offset 1");
    }

    @Test
    void aSequenceEndedWithoutALabelIsReportedAsUnlabelled() {
        List<AssembledSequence> out =
                assemble(step("a", 1, 2, false, null), step("a", 2, 2, true, null));
        assertThat(out).extracting(AssembledSequence::problem).containsExactly("unlabelled");
        assertThat(out.get(0).detail()).contains("2 events");
    }

    @Test
    void aNewSequenceIdEndsTheOpenSequence() {
        List<AssembledSequence> out =
                assemble(
                        step("a", 1, 2, false, null),
                        step("b", 2, 2, false, null),
                        step("b", 3, 2, false, "run"));
        assertThat(out).extracting(AssembledSequence::problem).containsExactly("unlabelled", null);
        assertThat(out.get(1).sequenceId()).isEqualTo("b");
    }

    @Test
    void theKeysLastOpenSequenceIsIncompleteAndLeftForALaterRun() {
        List<AssembledSequence> out =
                assemble(step("a", 1, 2, false, "x"), step("b", 2, 2, false, null));
        assertThat(out).extracting(AssembledSequence::problem).containsExactly(null, "incomplete");
    }

    @Test
    void featureVectorsOfDifferentLengthsAreAWrongDimension() {
        List<AssembledSequence> out =
                assemble(step("a", 1, 2, false, null), step("a", 2, 3, false, "x"));
        assertThat(out).extracting(AssembledSequence::problem).containsExactly("wrong-dimension");
        assertThat(out.get(0).detail()).contains("3 features").contains("first event has 2");
        assertThat(out.get(0).where()).isEqualTo("partition 0 offset 2");
    }

    @Test
    void textAndFeatureEventsDoNotMix() {
        LabelledStep text =
                new LabelledStep("k", "a", 2, 0, 2, null, new String[] {"fine"}, false, "x");
        List<AssembledSequence> out = assemble(step("a", 1, 2, false, null), text);
        assertThat(out).extracting(AssembledSequence::problem).containsExactly("mixed-input");
    }

    @Test
    void tokensOfTextEventsAreJoinedInOrder() {
        List<AssembledSequence> out =
                assemble(
                        new LabelledStep(
                                "k", null, 2, 0, 5, null, new String[] {"a", "film"}, false, "pos"),
                        new LabelledStep(
                                "k", null, 1, 0, 4, null, new String[] {"what"}, false, null));
        assertThat(out.get(0).tokens()).containsExactly("what", "a", "film");
    }
}
