package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * How surprising each event of a key was to the language model, per character so that lines of
 * different lengths compare, with the model's validation loss as the line an ordinary line of the
 * corpus scores near.
 */
final class SurpriseChart {

    static final String VALIDATION = "validation loss on held-out text";

    private SurpriseChart() {}

    static JFreeChart chart(DemoSummary.LanguageModelRun lm) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (String key : lm.keys()) {
            XYSeries series = new XYSeries(key);
            for (DemoSummary.TextEvent e : lm.events()) {
                if (e.key().equals(key) && !Double.isNaN(e.surprise())) {
                    series.add(e.index(), e.surprisePerCharacter());
                }
            }
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, SvgChart.SERIES[i % SvgChart.SERIES.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
        }
        NumberAxis x = new NumberAxis("event of the key (number)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        int last = lm.events().stream().mapToInt(DemoSummary.TextEvent::index).max().orElse(1);
        x.setRange(0.5, last + 0.5);
        NumberAxis y = new NumberAxis("surprise (nats per character)");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        ValueMarker validation =
                new ValueMarker(
                        lm.validationNatsPerChar(),
                        Color.GRAY,
                        new BasicStroke(
                                1f,
                                BasicStroke.CAP_BUTT,
                                BasicStroke.JOIN_MITER,
                                10f,
                                new float[] {4f, 3f},
                                0f));
        SvgChart.label(
                validation,
                String.format(Locale.ROOT, "%s: %.2f", VALIDATION, lm.validationNatsPerChar()),
                RectangleAnchor.TOP_RIGHT,
                TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(validation);
        return SvgChart.chart(
                "Surprise of each event, per character, " + lm.model() + " v" + lm.version(), plot);
    }
}
