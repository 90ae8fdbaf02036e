package io.rnnstream.demo.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's chart style, and a chart drawn as one inline SVG element by JFreeSVG: text stays
 * text (searchable, sharp at any zoom) and the page needs no script to show it.
 */
final class SvgChart {

    /** Series colours, distinguishable for the common forms of colour blindness (Okabe-Ito). */
    static final Paint[] SERIES =
            new Paint[] {
                new Color(0x0072B2),
                new Color(0xD55E00),
                new Color(0x009E73),
                new Color(0xCC79A7),
                new Color(0xE69F00),
                new Color(0x56B4E9)
            };

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color GRID = new Color(0xDDDDDD);

    static {
        // JFreeChart draws rotated text (vertical axis titles) as glyph outlines by default, a
        // workaround for old JDK bugs; as SVG text it stays selectable, searchable and small.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private SvgChart() {}

    /** A chart with a title and a legend below the plot, in the report's style. */
    static JFreeChart chart(String title, Plot plot) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        LegendTitle legend = chart.getLegend();
        legend.setItemFont(LABEL);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        if (plot instanceof XYPlot xy) {
            style(xy);
        }
        return chart;
    }

    /** White plot area, light grid, the report's fonts on both axes. */
    static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(0.8f));
        plot.setRangeGridlineStroke(new BasicStroke(0.8f));
        plot.setOutlinePaint(Color.GRAY);
        for (int i = 0; i < plot.getDomainAxisCount(); i++) {
            style(plot.getDomainAxis(i));
        }
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            style(plot.getRangeAxis(i));
        }
    }

    static void style(ValueAxis axis) {
        if (axis != null) {
            axis.setLabelFont(LABEL);
            axis.setTickLabelFont(TICK);
        }
    }

    /** A marker's label in the report's tick font, on no background, placed as asked. */
    static void label(Marker marker, String text, RectangleAnchor anchor, TextAnchor textAnchor) {
        marker.setLabel(text);
        marker.setLabelFont(TICK);
        marker.setLabelPaint(marker.getPaint());
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        marker.setLabelAnchor(anchor);
        marker.setLabelTextAnchor(textAnchor);
    }

    private static String twoDecimals(double value) {
        String text = String.format(java.util.Locale.ROOT, "%.2f", value);
        // 12.50 -> 12.5, 12.00 -> 12
        return text.contains(".") ? text.replaceAll("\\.?0+$", "") : text;
    }

    /**
     * The chart as an {@code <svg>} element with a view box, so the page can scale it to its width.
     *
     * @param id unique in the page: JFreeSVG derives the ids of clip paths from it
     */
    static String svg(JFreeChart chart, String id, int width, int height) {
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        g2.setDefsKeyPrefix(id + "-");
        // Two decimals are a hundredth of a pixel; JFreeSVG's default writes every digit.
        g2.setGeomDoubleConverter(SvgChart::twoDecimals);
        chart.draw(g2, new Rectangle(0, 0, width, height));
        return g2.getSVGElement(id, true, new ViewBox(0, 0, width, height), null, null);
    }
}
