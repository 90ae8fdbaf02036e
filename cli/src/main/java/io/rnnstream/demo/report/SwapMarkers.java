package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Line2D;
import java.util.List;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;

/**
 * Marks the moments a retrained model version took over: a dashed vertical line with the version it
 * names, and a legend entry that says what the line is.
 */
final class SwapMarkers {

    static final String LEGEND = "model swap";
    private static final Color COLOUR = new Color(0x333333);
    private static final BasicStroke DASHED =
            new BasicStroke(
                    1.5f,
                    BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER,
                    10f,
                    new float[] {6f, 4f},
                    0f);

    private SwapMarkers() {}

    /** A marker at each swap's second on the domain axis. */
    static void addTo(XYPlot plot, List<DemoSummary.Swap> swaps) {
        for (DemoSummary.Swap swap : swaps) {
            add(plot, swap.second(), swap.model() + " v" + swap.toVersion() + " serves");
        }
        addLegend(plot, swaps.isEmpty());
    }

    /** A marker at {@code x} with {@code label}, e.g. between two versions on a category axis. */
    static void add(XYPlot plot, double x, String label) {
        ValueMarker marker = new ValueMarker(x, COLOUR, DASHED);
        SvgChart.label(marker, label, RectangleAnchor.TOP_RIGHT, TextAnchor.TOP_LEFT);
        plot.addDomainMarker(marker, Layer.FOREGROUND);
    }

    /** The plot's own legend items followed by the swap line's, unless there was no swap. */
    static void addLegend(XYPlot plot, boolean noSwap) {
        LegendItemCollection items = new LegendItemCollection();
        items.addAll(plot.getLegendItems());
        if (!noSwap) {
            items.add(
                    new LegendItem(
                            LEGEND,
                            null,
                            null,
                            null,
                            new Line2D.Double(-8, 0, 8, 0),
                            DASHED,
                            COLOUR));
        }
        plot.setFixedLegendItems(items);
    }
}
