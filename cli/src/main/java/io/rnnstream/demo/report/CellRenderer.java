package io.rnnstream.demo.report;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYZDataset;

/**
 * Heat-map cells of one unit square each, filled and not outlined, with their edges on whole
 * pixels: neighbouring cells then meet without the hairline seams anti-aliasing leaves in a
 * browser, and each cell is one SVG element instead of the two (fill and outline) that
 * XYBlockRenderer draws.
 */
final class CellRenderer extends XYBlockRenderer {

    @Override
    public void drawItem(
            Graphics2D g2,
            XYItemRendererState state,
            Rectangle2D dataArea,
            PlotRenderingInfo info,
            XYPlot plot,
            ValueAxis domainAxis,
            ValueAxis rangeAxis,
            XYDataset dataset,
            int series,
            int item,
            CrosshairState crosshairState,
            int pass) {
        double x = dataset.getXValue(series, item);
        double y = dataset.getYValue(series, item);
        double z = ((XYZDataset) dataset).getZValue(series, item);
        double x0 =
                Math.round(domainAxis.valueToJava2D(x - 0.5, dataArea, plot.getDomainAxisEdge()));
        double x1 =
                Math.round(domainAxis.valueToJava2D(x + 0.5, dataArea, plot.getDomainAxisEdge()));
        double y0 = Math.round(rangeAxis.valueToJava2D(y - 0.5, dataArea, plot.getRangeAxisEdge()));
        double y1 = Math.round(rangeAxis.valueToJava2D(y + 0.5, dataArea, plot.getRangeAxisEdge()));
        g2.setPaint(getPaintScale().getPaint(z));
        g2.fill(
                new Rectangle2D.Double(
                        Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0)));
    }
}
