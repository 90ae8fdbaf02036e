package io.rnnstream.demo.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.demo.DemoSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report read as a browser gets it: its SVG charts parsed, its tables and what it must not
 * hold.
 */
class HtmlReportTest {

    private static final List<String> TIME_CHARTS = List.of("throughput", "running-accuracy");

    @Test
    void everyChartHasAxesWithUnitsAndTicksAndALegend() throws Exception {
        Map<String, ReportPage.Chart> charts =
                ReportPage.charts(HtmlReport.html(ReportFixture.summary()));

        assertThat(charts)
                .containsOnlyKeys(
                        "accuracy-per-version",
                        "throughput",
                        "running-accuracy",
                        "latency",
                        "retraining-gate",
                        "heatmap-0",
                        "heatmap-1",
                        "lm-surprise");
        charts.forEach(
                (id, chart) -> {
                    assertThat(chart.axisTitlesWithUnits()).as(id).hasSizeGreaterThanOrEqualTo(2);
                    assertThat(chart.numericLabels()).as(id).hasSizeGreaterThanOrEqualTo(4);
                });
        assertThat(charts.get("throughput").texts())
                .contains(TimelineCharts.SENT, TimelineCharts.CLASSIFIED);
        assertThat(charts.get("running-accuracy").texts()).contains("motion", "sentiment");
        assertThat(charts.get("latency").texts())
                .contains(LatencyChart.APPENDED, LatencyChart.VISIBLE, "p50", "p99");
        assertThat(charts.get("accuracy-per-version").texts())
                .contains("motion", "sentiment", "motion v1 (8 seq.)", "motion v2 (8 seq.)");
        assertThat(charts.get("retraining-gate").texts())
                .contains(
                        "accuracy on the 40 held-out sequences",
                        "v1 (in service)",
                        "v2 (candidate)",
                        "0.450 = in service - margin 0.050");
    }

    @Test
    void theTimeChartsAndTheVersionChartMarkTheModelSwap() throws Exception {
        Map<String, ReportPage.Chart> charts =
                ReportPage.charts(HtmlReport.html(ReportFixture.summary()));

        for (String id : List.of("throughput", "running-accuracy", "accuracy-per-version")) {
            ReportPage.Chart chart = charts.get(id);
            assertThat(chart.texts()).as(id).contains("motion v2 serves", SwapMarkers.LEGEND);
            assertThat(chart.dashedLines()).as(id).isGreaterThanOrEqualTo(1);
        }
        // The swap at 41.4 s falls between the ticks of 40 and 45 s on the time axis.
        assertThat(charts.get("throughput").numericLabels()).contains("40", "45");
    }

    @Test
    void withoutASwapNoMarkerIsDrawnAndThePageSaysSo() throws Exception {
        String html = HtmlReport.html(ReportFixture.summary(List.of()));
        Map<String, ReportPage.Chart> charts = ReportPage.charts(html);

        for (String id : TIME_CHARTS) {
            assertThat(charts.get(id).texts()).as(id).doesNotContain(SwapMarkers.LEGEND);
            assertThat(charts.get(id).dashedLines()).as(id).isZero();
        }
        assertThat(html).contains("No model version took over during this run.");
    }

    @Test
    void heatMapsHaveAColourScaleLabelledUnitsAndThePredictedLabelPerStep() throws Exception {
        Map<String, ReportPage.Chart> charts =
                ReportPage.charts(HtmlReport.html(ReportFixture.summary()));
        ReportPage.Chart snippet = charts.get("heatmap-0");
        ReportPage.Chart motion = charts.get("heatmap-1");

        // colour scale: its axis title and its end values
        assertThat(snippet.texts())
                .contains("activation h_t (tanh, -1 to 1)", "hidden unit (index)")
                .contains("-1", "-0.5", "0", "0.5", "1");
        // one tick label per word, escaped; the labels as the legend of the prediction bars
        assertThat(snippet.texts())
                .contains("a", "<b>good</b>", "film", "after", "all")
                .contains("negative", "<positive> (actual)");
        assertThat(motion.texts())
                .contains("step: the frame read (number)", "1", "Running (actual)");
        // 8 units x 5 steps, 24 x 100: at least one cell each
        assertThat(snippet.elements("rect")).isGreaterThanOrEqualTo(8 * 5);
        assertThat(motion.elements("rect")).isGreaterThanOrEqualTo(24 * 100);
        // the caption names what the model says after the last step
        assertThat(HtmlReport.html(ReportFixture.summary()))
                .contains("After the last step the model says &lt;positive&gt; (p = 0.80).")
                .contains("After the last step the model says Running (p = 0.70).");
    }

    @Test
    void theLanguageModelChartShowsEachKeysSurprisePerEventAgainstTheValidationLoss()
            throws Exception {
        ReportPage.Chart chart =
                ReportPage.charts(HtmlReport.html(ReportFixture.summary())).get("lm-surprise");

        assertThat(chart.texts())
                .contains("event of the key (number)", "surprise (nats per character)")
                .contains("reader-0", "reader-1")
                .contains(SurpriseChart.VALIDATION + ": 2.75")
                .contains("1", "2", "3");
        assertThat(chart.dashedLines()).as("the validation line").isEqualTo(1);
        assertThat(chart.numericLabels()).as("ticks on both axes").hasSizeGreaterThan(5);
    }

    @Test
    void theLanguageModelSectionListsNextSymbolsAndContinuationsEscaped() {
        String html = HtmlReport.html(ReportFixture.summary());

        assertThat(html)
                .contains("<a href=\"#language-model\">Language model</a>")
                .contains("<h2 id=\"language-model\">Language model</h2>")
                .contains("<td>return &lt;y&gt;;</td>")
                .contains("␣ 0.41, ↵ 0.22, &lt; 0.05")
                .contains("<pre>    }\n  </pre>")
                .contains("6 events, 6 predictions")
                .contains("2 of 2 continuations equal")
                .doesNotContain("<y>");
    }

    @Test
    void theCellsSectionHasTheBestUnitPerPropertyAColourLegendAndColouredText() {
        String html = HtmlReport.html(ReportFixture.summary());
        String cells = html.substring(html.indexOf("<h3 id=\"cells\">"));

        assertThat(cells)
                .contains("<td>position in the line</td><td>L0.c3</td><td class=\"r\">0.710</td>")
                .contains("<td>L0.h1 (-0.520)</td>")
                .contains("<td>inside a comment</td><td colspan=\"3\">constant in this text</td>")
                .contains("<div class=\"legend\">")
                .contains("<span class=\"bar\"></span>")
                .contains("<h5>position in the line: unit L0.c3 (r = +0.710)")
                .contains("<h5>unit L0.h1");
        // the legend's gradient runs blue, white, red
        assertThat(html).contains("linear-gradient(to right,#1f77b4,#ffffff,#d62728)");
        // one coloured span per character per panel, the strongest at the scale's ends
        int characters = "{\n  \"a\" (b)\n}\n".length();
        assertThat(cells.split("<span style=\"background:#", -1).length - 1)
                .isEqualTo(2 * characters);
        assertThat(cells).contains("background:#d62728\">").contains("background:#1f77b4\">");
    }

    @Test
    void aSummaryWithoutTheLanguageModelPartSaysSo() {
        DemoSummary without = ReportFixture.summary(ReportFixture.swaps(), null);

        String html = HtmlReport.html(without);

        assertThat(html).contains("This run had no language-model part.");
        assertThat(without.text()).doesNotContain("language model");
    }

    @Test
    void thePageRunsNoScriptAndLoadsNothing() {
        String html = HtmlReport.html(ReportFixture.summary());

        assertThat(html.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("<script")
                .doesNotContain("javascript:")
                .doesNotContain(" onload=")
                .doesNotContain("<link")
                .doesNotContain("<img")
                .doesNotContainPattern("href=\"[^#]")
                .doesNotContain("src=");
    }

    @Test
    void tablesShowConfusionPerVersionDeadLettersAndTheRetrainingFigures() {
        String html = HtmlReport.html(ReportFixture.summary());

        assertThat(html)
                .contains(
                        "<h4>motion v1</h4>", "<h4>motion v2</h4>", "<h4>motion, all versions</h4>")
                .contains("<h4>sentiment v1</h4>")
                .contains("&lt;positive&gt;")
                .doesNotContain("<positive>");
        assertThat(html)
                .contains(
                        "<td>unknown-model</td><td>yes</td><td>no model named &lt;weather&gt;</td>");
        assertThat(html)
                .contains("<td>hold-out size (sequences)</td><td>40</td>")
                .contains("<td>0.500, 0.352-0.648</td>")
                .contains("<td>0.800, 0.652-0.895</td>")
                .contains("<td>gate margin</td><td>0.050</td>");
    }

    @Test
    void aDeadLetterBeyondTheInjectedOnesIsMarkedUnexpected() {
        DemoSummary s = ReportFixture.summary();
        DemoSummary twice =
                new DemoSummary(
                        s.mode(),
                        s.seconds(),
                        s.useCases(),
                        s.events(),
                        s.sendSeconds(),
                        s.replaySeconds(),
                        s.appendLatencyMs(),
                        s.visibleLatencyMs(),
                        s.latencies(),
                        Map.of("unparsable", 2),
                        List.of(
                                new DemoSummary.DeadLetter("unparsable", "first", "x"),
                                new DemoSummary.DeadLetter("unparsable", "second", "y")),
                        Map.of("unparsable", 1),
                        s.versionsServed(),
                        s.retraining(),
                        s.swaps(),
                        s.timeline(),
                        s.heatmaps(),
                        s.languageModel());

        String table = ReportTables.deadLetters(twice);

        assertThat(table)
                .contains("<td>unparsable</td><td>yes</td><td>first</td>")
                .contains("<td>unparsable</td><td>no: unexpected</td><td>second</td>");
    }

    @Test
    void writesThePageToAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.html");

        HtmlReport.write(ReportFixture.summary(), file);

        assertThat(Files.readString(file)).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    }
}
