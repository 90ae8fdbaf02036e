package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The distribution of end-to-end latency as empirical CDFs: for each latency, the share of
 * sequences whose classification took at most that long. Both ends of the measurement, appended to
 * the results topic and visible to a read_committed reader, on one chart.
 */
final class LatencyChart {

    static final String APPENDED = "last event sent -> result appended";
    static final String VISIBLE = "last event sent -> result visible (read_committed)";

    private LatencyChart() {}

    static JFreeChart cdf(List<DemoSummary.Latency> latencies) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(cdf(APPENDED, latencies, DemoSummary.Latency::appendedMs));
        data.addSeries(cdf(VISIBLE, latencies, DemoSummary.Latency::visibleMs));
        XYStepRenderer renderer = new XYStepRenderer();
        for (int i = 0; i < 2; i++) {
            renderer.setSeriesPaint(i, SvgChart.SERIES[i]);
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        NumberAxis x = new NumberAxis("latency (ms)");
        NumberAxis y = new NumberAxis("share of sequences at or below (fraction)");
        // Room above 1 for the p99 line's label.
        y.setRange(0, 1.08);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        for (double q : new double[] {0.5, 0.99}) {
            ValueMarker marker = new ValueMarker(q, Color.GRAY, new BasicStroke(0.8f));
            SvgChart.label(
                    marker, q == 0.5 ? "p50" : "p99", RectangleAnchor.LEFT, TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(marker);
        }
        return SvgChart.chart(
                "End-to-end latency, " + latencies.size() + " sequences (empirical CDF)", plot);
    }

    private static XYSeries cdf(
            String name,
            List<DemoSummary.Latency> latencies,
            ToLongFunction<DemoSummary.Latency> f) {
        long[] sorted = latencies.stream().mapToLong(f).sorted().toArray();
        XYSeries series = new XYSeries(name, true, false);
        for (int i = 0; i < sorted.length; i++) {
            // Equal latencies collapse into one step to the share at or below them.
            series.addOrUpdate(sorted[i], (i + 1) / (double) sorted.length);
        }
        return series;
    }
}
