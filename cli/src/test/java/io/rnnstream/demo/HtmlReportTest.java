package io.rnnstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The report's SVG pieces: every cell drawn, every text from the data escaped. */
class HtmlReportTest {

    @Test
    void confusionMatrixDrawsOneCellPerPairWithItsCount() {
        DemoSummary.UseCase useCase = useCase();

        String svg = HtmlReport.confusion(useCase);

        assertThat(count(svg, "<rect ")).isEqualTo(4);
        assertThat(svg).contains(">7</text>").contains(">2</text>").contains(">0</text>");
        assertThat(svg).contains("&lt;pos&gt;").doesNotContain("<pos>");
    }

    @Test
    void heatmapHasACellPerUnitAndStepAndEscapesWords() {
        Heatmap map =
                new Heatmap(
                        "t",
                        List.of("<b>", "good", "film"),
                        new float[][] {{0.5f, -0.5f, 1f}, {0f, 0.2f, -1f}},
                        new float[] {0.4f, 0.6f, 0.9f});

        String svg = HtmlReport.heatmap(map);

        // two units x three steps, plus one probability bar per step
        assertThat(count(svg, "<rect ")).isEqualTo(2 * 3 + 3);
        assertThat(svg).contains("&lt;b&gt;").doesNotContain("<b>");
        assertThat(svg).contains("rgb(0,0,255)").contains("rgb(255,0,0)");
    }

    @Test
    void pageEscapesTitlesAndHoldsEveryChart() {
        DemoSummary summary =
                new DemoSummary(
                        "quick",
                        10,
                        List.of(useCase()),
                        100,
                        1,
                        2,
                        new DemoSummary.Percentiles(1, 2, 3, 10),
                        new DemoSummary.Percentiles(1, 2, 3, 10),
                        Map.of("unparsable", 1),
                        Map.of("unparsable", 1),
                        Map.of("sentiment", List.of(1L)),
                        new DemoSummary.Retraining("motion", "published", "", 2, 28, 3),
                        List.of(
                                new DemoSummary.TimelinePoint(
                                        5, 50, 2, 40, Map.of("sentiment", 0.5)),
                                new DemoSummary.TimelinePoint(
                                        6, 50, 3, 60, Map.of("sentiment", 0.6))),
                        List.of(
                                new Heatmap(
                                        "<script>",
                                        List.of("a"),
                                        new float[][] {{0f}},
                                        new float[] {0.5f})));

        String html = HtmlReport.html(summary, DemoPlan.quick(Path.of("data"), Path.of("out"), 0));

        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;");
        assertThat(count(html, "<svg ")).isEqualTo(4);
        assertThat(html)
                .contains("events classified/s")
                .contains("Running streamed accuracy")
                .contains("unit 0");
    }

    private static DemoSummary.UseCase useCase() {
        return new DemoSummary.UseCase(
                "sentiment",
                "snippets",
                11,
                0.8,
                0.8,
                11,
                0,
                Map.of(1L, 11),
                Map.of(1L, 0.8),
                List.of("<pos>", "neg"),
                new long[][] {{7, 2}, {0, 2}});
    }

    private static int count(String text, String needle) {
        return (int) Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }
}
