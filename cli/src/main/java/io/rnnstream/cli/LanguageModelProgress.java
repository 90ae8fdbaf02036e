package io.rnnstream.cli;

import io.rnnstream.core.train.NextTokenTrainer;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows language-model training: on a terminal, a bar over the current epoch's windows with the
 * last validation loss; elsewhere (CI, pipes, logs) one line per epoch.
 */
final class LanguageModelProgress implements NextTokenTrainer.Listener, AutoCloseable {

    private final int maxEpochs;
    private final boolean showBar;
    private final PrintWriter log;
    private ProgressBar bar;
    private String lastValidation = "";

    /**
     * @param log where the line per epoch goes: the command's error stream
     */
    LanguageModelProgress(int maxEpochs, boolean showBar, PrintWriter log) {
        this.maxEpochs = maxEpochs;
        this.showBar = showBar;
        this.log = log;
    }

    @Override
    public void onWindow(int epoch, long window, long windows) {
        if (!showBar) {
            return;
        }
        if (bar == null) {
            bar =
                    new ProgressBarBuilder()
                            .setTaskName("epoch " + epoch + "/" + maxEpochs)
                            .setInitialMax(windows)
                            .setStyle(ProgressBarStyle.ASCII)
                            .setConsumer(new ConsoleProgressBarConsumer(System.err))
                            .setUpdateIntervalMillis(500)
                            .build();
            bar.setExtraMessage(lastValidation);
        }
        bar.stepTo(window);
    }

    @Override
    public void onEpoch(NextTokenTrainer.Epoch epoch) {
        lastValidation =
                String.format(
                        Locale.ROOT,
                        "val %.4f nats (%.3f bits)%s",
                        epoch.validationLoss(),
                        epoch.validationBitsPerToken(),
                        epoch.improved() ? " best" : "");
        if (bar != null) {
            bar.setExtraMessage(lastValidation);
            bar.close();
            bar = null;
        }
        log.printf(
                Locale.ROOT,
                "epoch %d/%d: train %.4f nats, %s, %d updates, %.0f symbols/s%n",
                epoch.epoch(),
                maxEpochs,
                epoch.trainLoss(),
                lastValidation,
                epoch.updates(),
                epoch.tokensPerSecond());
        log.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
