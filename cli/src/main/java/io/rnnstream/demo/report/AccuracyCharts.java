package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import io.rnnstream.retrain.AccuracyInterval;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Accuracies with their 95% Wilson intervals: each model version on the sequences it classified in
 * the stream, and the retraining gate's comparison on the hold-out.
 */
final class AccuracyCharts {

    private AccuracyCharts() {}

    /** One point per model version served, grouped by model, the swap marked between versions. */
    static JFreeChart perVersion(DemoSummary summary) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        List<String> names = new ArrayList<>();
        XYPlotMarks swaps = new XYPlotMarks();
        for (DemoSummary.UseCase u : summary.useCases()) {
            YIntervalSeries series = new YIntervalSeries(u.model());
            for (Map.Entry<Long, long[][]> e : u.confusionByVersion().entrySet()) {
                AccuracyInterval interval = intervalOf(e.getValue());
                if (!series.isEmpty()) {
                    swaps.add(names.size() - 0.5, u.model() + " v" + e.getKey() + " serves");
                }
                series.add(names.size(), interval.accuracy(), interval.low(), interval.high());
                names.add(
                        String.format(
                                Locale.ROOT,
                                "%s v%d (%d seq.)",
                                u.model(),
                                e.getKey(),
                                interval.sequences()));
            }
            data.addSeries(series);
        }
        XYPlot plot = plot(data, names, "model version (sequences it classified)");
        swaps.addTo(plot);
        return SvgChart.chart("Streamed accuracy per model version", plot);
    }

    /** The version in service and the candidate on the same hold-out, and the gate's threshold. */
    static JFreeChart gate(DemoSummary.Retraining r) {
        YIntervalSeries series =
                new YIntervalSeries(
                        r.metric() + " on the " + r.holdoutSequences() + " held-out sequences");
        add(series, 0, r.serviceScore(), r.serviceInterval());
        add(series, 1, r.candidateScore(), r.candidateInterval());
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        data.addSeries(series);
        List<String> names =
                List.of(
                        "v" + r.serviceVersion() + " (in service)",
                        "v" + r.candidateVersion() + " (candidate)");
        XYPlot plot = plot(data, names, "model version");
        double threshold = r.serviceScore() - r.margin();
        ValueMarker marker =
                new ValueMarker(
                        threshold,
                        new Color(0xD55E00),
                        new BasicStroke(
                                1.5f,
                                BasicStroke.CAP_BUTT,
                                BasicStroke.JOIN_MITER,
                                10f,
                                new float[] {2f, 3f},
                                0f));
        marker.setLabel(
                String.format(
                        Locale.ROOT, "%.3f = in service - margin %.3f", threshold, r.margin()));
        marker.setLabelFont(SvgChart.TICK);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        marker.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addRangeMarker(marker, Layer.FOREGROUND);
        LegendItemCollection items = new LegendItemCollection();
        items.addAll(plot.getLegendItems());
        items.add(
                new LegendItem(
                        "gate: the candidate must score at least this",
                        null,
                        null,
                        null,
                        new java.awt.geom.Line2D.Double(-8, 0, 8, 0),
                        marker.getStroke(),
                        marker.getPaint()));
        plot.setFixedLegendItems(items);
        return SvgChart.chart("Retraining gate: hold-out accuracy with 95% Wilson intervals", plot);
    }

    private static void add(YIntervalSeries series, int x, double score, List<Double> interval) {
        if (!Double.isNaN(score) && interval.size() == 2) {
            series.add(x, score, interval.get(0), interval.get(1));
        }
    }

    private static XYPlot plot(YIntervalSeriesCollection data, List<String> names, String xLabel) {
        SymbolAxis x = new SymbolAxis(xLabel, names.toArray(String[]::new));
        x.setRange(-0.5, names.size() - 0.5);
        x.setGridBandsVisible(false);
        NumberAxis y = new NumberAxis("accuracy (fraction correct), 95% Wilson interval");
        y.setRange(0, 1.05);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setErrorStroke(new BasicStroke(1.5f));
        renderer.setCapLength(10);
        renderer.setDefaultShapesVisible(true);
        renderer.setDefaultLinesVisible(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, SvgChart.SERIES[i % SvgChart.SERIES.length]);
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
        }
        renderer.setErrorPaint(null);
        return new XYPlot(data, x, y, renderer);
    }

    private static AccuracyInterval intervalOf(long[][] confusion) {
        long correct = 0;
        long total = 0;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion[i].length; j++) {
                total += confusion[i][j];
            }
            correct += confusion[i][i];
        }
        return AccuracyInterval.of(correct, total);
    }

    /** Swap markers collected while the points are laid out, added once the plot exists. */
    private static final class XYPlotMarks {
        private final List<Double> xs = new ArrayList<>();
        private final List<String> labels = new ArrayList<>();

        void add(double x, String label) {
            xs.add(x);
            labels.add(label);
        }

        void addTo(XYPlot plot) {
            for (int i = 0; i < xs.size(); i++) {
                SwapMarkers.add(plot, xs.get(i), labels.get(i));
            }
            SwapMarkers.addLegend(plot, xs.isEmpty());
        }
    }
}
