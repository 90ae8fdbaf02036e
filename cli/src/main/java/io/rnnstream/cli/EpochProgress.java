package io.rnnstream.cli;

import io.rnnstream.core.train.SequenceTrainer;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows training progress: a progress bar of epochs with the latest losses and validation accuracy
 * on standard error, or one line per epoch when bars are off or there is no terminal (CI, pipes).
 */
final class EpochProgress implements SequenceTrainer.Listener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EpochProgress.class);

    private final ProgressBar bar;

    /**
     * @param showBar a bar unless the user turned it off; drawn only when the JVM has a terminal
     *     ({@code System.console()}), since a bar's carriage returns make pipes and logs unreadable
     */
    EpochProgress(int maxEpochs, boolean showBar) {
        this(maxEpochs, showBar, System.console() != null);
    }

    EpochProgress(int maxEpochs, boolean showBar, boolean terminal) {
        this.bar =
                showBar && terminal
                        ? new ProgressBarBuilder()
                                .setTaskName("epochs")
                                .setInitialMax(maxEpochs)
                                .setStyle(ProgressBarStyle.ASCII)
                                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                                .setUpdateIntervalMillis(500)
                                .build()
                        : null;
    }

    @Override
    public void onEpoch(SequenceTrainer.EpochSummary summary) {
        String figures =
                String.format(
                        Locale.ROOT,
                        "loss %.4f, val loss %.4f, val acc %.4f%s",
                        summary.trainLoss(),
                        summary.validationLoss(),
                        summary.validationAccuracy(),
                        summary.improved() ? " (best)" : "");
        if (bar == null) {
            System.err.printf(
                    Locale.ROOT,
                    "epoch %d/%d: %s%n",
                    summary.epoch(),
                    summary.maxEpochs(),
                    figures);
        } else {
            bar.stepTo(summary.epoch());
            bar.setExtraMessage(figures);
        }
    }

    /** Early stopping ran fewer epochs than the maximum: show the bar as complete. */
    void finish(int epochsRun) {
        if (bar != null) {
            bar.maxHint(epochsRun);
            bar.stepTo(epochsRun);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
