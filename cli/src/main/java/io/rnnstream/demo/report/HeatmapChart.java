package io.rnnstream.demo.report;

import io.rnnstream.demo.Heatmap;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYBarDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One sequence read step by step: above, the label the model would give after each step (bar
 * colour) and its probability (bar height); below, the top layer's hidden units (rows) after each
 * step (columns), with a colour scale for the activation.
 */
final class HeatmapChart {

    /** Up to this many steps each gets its own word as a tick label. */
    static final int WORD_TICKS = 30;

    private HeatmapChart() {}

    static JFreeChart chart(Heatmap map) {
        int steps = map.steps().size();
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(domain(map));
        plot.setGap(6);
        plot.add(predictions(map), 1);
        plot.add(activations(map), 3);
        JFreeChart chart = SvgChart.chart(map.title(), plot);
        SvgChart.style(plot.getDomainAxis());
        NumberAxis scaleAxis = new NumberAxis("activation h_t (tanh, -1 to 1)");
        scaleAxis.setRange(-1, 1);
        scaleAxis.setTickUnit(new NumberTickUnit(0.5));
        SvgChart.style(scaleAxis);
        PaintScaleLegend scale = new PaintScaleLegend(new DivergingScale(), scaleAxis);
        scale.setPosition(RectangleEdge.RIGHT);
        scale.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        scale.setStripWidth(12);
        scale.setMargin(new RectangleInsets(40, 8, steps <= WORD_TICKS ? 90 : 50, 4));
        chart.addSubtitle(scale);
        return chart;
    }

    /** Words as tick labels for short sequences, step numbers for long ones. */
    private static ValueAxis domain(Heatmap map) {
        int steps = map.steps().size();
        ValueAxis axis;
        if (steps <= WORD_TICKS) {
            SymbolAxis words =
                    new SymbolAxis("step: the word read", map.steps().toArray(String[]::new));
            words.setVerticalTickLabels(true);
            words.setGridBandsVisible(false);
            axis = words;
        } else {
            NumberAxis frames = new NumberAxis("step: the frame read (number)");
            frames.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            axis = frames;
        }
        axis.setRange(firstStep(map) - 0.5, firstStep(map) + steps - 0.5);
        return axis;
    }

    /**
     * Where the first step sits on the domain axis: a word axis counts its symbols from 0, frames
     * are numbered from 1 as in the heat map's step labels.
     */
    private static int firstStep(Heatmap map) {
        return map.steps().size() <= WORD_TICKS ? 0 : 1;
    }

    private static XYPlot predictions(Heatmap map) {
        List<XYSeries> byLabel = new ArrayList<>();
        for (String label : map.labels()) {
            String name = label.equals(map.actual()) ? label + " (actual)" : label;
            byLabel.add(new XYSeries(name));
        }
        for (int t = 0; t < map.steps().size(); t++) {
            int predicted = map.predictedAt(t);
            byLabel.get(predicted).add(firstStep(map) + t, map.probabilities()[t][predicted]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        byLabel.forEach(data::addSeries);
        XYBarRenderer renderer = new XYBarRenderer();
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < byLabel.size(); i++) {
            renderer.setSeriesPaint(i, SvgChart.SERIES[i % SvgChart.SERIES.length]);
        }
        NumberAxis y = new NumberAxis("p(predicted)");
        y.setRange(0, 1);
        y.setTickUnit(new NumberTickUnit(0.5));
        XYPlot plot = new XYPlot(new XYBarDataset(data, 0.8), null, y, renderer);
        SvgChart.style(plot);
        return plot;
    }

    private static XYPlot activations(Heatmap map) {
        int steps = map.steps().size();
        int units = map.values().length;
        double[][] xyz = new double[3][steps * units];
        for (int u = 0; u < units; u++) {
            for (int t = 0; t < steps; t++) {
                int i = u * steps + t;
                xyz[0][i] = firstStep(map) + t;
                xyz[1][i] = u;
                xyz[2][i] = map.values()[u][t];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("h_t", xyz);
        XYBlockRenderer renderer = new CellRenderer();
        renderer.setPaintScale(new DivergingScale());
        renderer.setDefaultSeriesVisibleInLegend(false);
        NumberAxis y = new NumberAxis("hidden unit (index)");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setRange(-0.5, units - 0.5);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, null, y, renderer);
        SvgChart.style(plot);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setBackgroundPaint(Color.WHITE);
        return plot;
    }
}
