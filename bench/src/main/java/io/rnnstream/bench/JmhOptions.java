package io.rnnstream.bench;

import java.nio.file.Path;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The JMH settings the operator-level suites share: one fork, and short iterations when quick. */
final class JmhOptions {

    private JmhOptions() {}

    /** One 2 GB fork, failing on any benchmark error, its output to {@code log}. */
    static ChainedOptionsBuilder operatorRun(boolean quick, Path log) {
        return new OptionsBuilder()
                .forks(1)
                .jvmArgs("-Xmx2g")
                .warmupIterations(quick ? 2 : 5)
                .warmupTime(TimeValue.milliseconds(quick ? 300 : 1000))
                .measurementIterations(quick ? 3 : 9)
                .measurementTime(TimeValue.milliseconds(quick ? 300 : 1000))
                .shouldFailOnError(true)
                .output(log.toString());
    }
}
