package io.rnnstream.demo.report;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/**
 * Blue for -1, white for 0, red for +1: the sign of a tanh activation reads at a glance, and units
 * near zero fade into the background.
 */
final class DivergingScale implements PaintScale {

    @Override
    public double getLowerBound() {
        return -1;
    }

    @Override
    public double getUpperBound() {
        return 1;
    }

    @Override
    public Paint getPaint(double value) {
        double v = Double.isNaN(value) ? 0 : Math.max(-1, Math.min(1, value));
        int fade = (int) Math.round(255 * (1 - Math.abs(v)));
        return v >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }
}
