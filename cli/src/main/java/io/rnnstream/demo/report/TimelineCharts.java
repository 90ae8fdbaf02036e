package io.rnnstream.demo.report;

import io.rnnstream.demo.DemoSummary;
import java.awt.BasicStroke;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The run over time, one point per second from the first replayed event on: events sent and
 * classified, and each model's running streamed accuracy, with the model swap marked.
 */
final class TimelineCharts {

    static final String SENT = "events sent";
    static final String CLASSIFIED = "events covered by results made visible";

    private TimelineCharts() {}

    static JFreeChart throughput(DemoSummary summary) {
        XYSeries sent = new XYSeries(SENT);
        XYSeries classified = new XYSeries(CLASSIFIED);
        for (DemoSummary.TimelinePoint p : summary.timeline()) {
            sent.add(p.second(), p.events());
            classified.add(p.second(), p.eventsClassified());
        }
        XYSeriesCollection data = new XYSeriesCollection(sent);
        data.addSeries(classified);
        // A count holds for the whole second it was counted in: steps, not slopes.
        XYStepRenderer renderer = new XYStepRenderer();
        NumberAxis y = new NumberAxis("events per second (events/s)");
        return chart("Events sent and classified per second", data, renderer, y, summary);
    }

    static JFreeChart accuracy(DemoSummary summary) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (DemoSummary.UseCase u : summary.useCases()) {
            XYSeries series = new XYSeries(u.model());
            for (DemoSummary.TimelinePoint p : summary.timeline()) {
                Double accuracy = p.runningAccuracy().get(u.model());
                if (accuracy != null) {
                    series.add(p.second(), accuracy);
                }
            }
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        NumberAxis y = new NumberAxis("streamed accuracy so far (fraction correct)");
        y.setRange(0, 1.05);
        return chart("Running streamed accuracy", data, renderer, y, summary);
    }

    private static JFreeChart chart(
            String title,
            XYSeriesCollection data,
            XYItemRenderer renderer,
            NumberAxis y,
            DemoSummary summary) {
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, SvgChart.SERIES[i % SvgChart.SERIES.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        NumberAxis x = new NumberAxis("time since the demo started (s)");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(domain(summary.timeline(), summary.swaps()));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        SwapMarkers.addTo(plot, summary.swaps());
        return SvgChart.chart(title, plot);
    }

    /** The timeline's seconds, widened to take in every swap so that no marker falls outside. */
    private static org.jfree.data.Range domain(
            List<DemoSummary.TimelinePoint> timeline, List<DemoSummary.Swap> swaps) {
        double low = timeline.isEmpty() ? 0 : timeline.get(0).second();
        double high = timeline.isEmpty() ? 1 : timeline.get(timeline.size() - 1).second() + 1;
        for (DemoSummary.Swap swap : swaps) {
            low = Math.min(low, Math.floor(swap.second()));
            high = Math.max(high, Math.ceil(swap.second()));
        }
        return new org.jfree.data.Range(low, Math.max(high, low + 1));
    }
}
