package io.rnnstream.demo;

/** What a running demo reports as it goes; the CLI shows it as a progress bar and log lines. */
public interface DemoListener {

    /** A new stage begins, e.g. "training the sentiment model". */
    void stage(String description);

    /** {@code done} of {@code total} classifications of the replay have come back. */
    void progress(long done, long total, String detail);

    /** A classification worth showing as it arrives. */
    void live(String line);

    /** A listener that ignores everything. */
    DemoListener SILENT =
            new DemoListener() {
                @Override
                public void stage(String description) {}

                @Override
                public void progress(long done, long total, String detail) {}

                @Override
                public void live(String line) {}
            };
}
