package io.rnnstream.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Switches logging to the demo's configuration ({@code log4j2-demo.xml}) for the length of a run:
 * the console keeps the demo's own lines plus warnings, the full INFO log goes to a file in the
 * run's directory. Closing it restores the configuration that was active before, which matters when
 * the demo runs inside another program (a test).
 */
final class DemoLogging implements AutoCloseable {

    static final String FILE_PROPERTY = "rnnstream.demo.log";
    private static final String CONFIGURATION = "/log4j2-demo.xml";

    private final URI previous;
    private final Path file;

    private DemoLogging(URI previous, Path file) {
        this.previous = previous;
        this.file = file;
    }

    /** Sends INFO and above to {@code file}, and only warnings and errors to the console. */
    static DemoLogging to(Path file) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        URI previous = context.getConfiguration().getConfigurationSource().getURI();
        System.setProperty(FILE_PROPERTY, file.toAbsolutePath().toString());
        try {
            Configurator.reconfigure(DemoLogging.class.getResource(CONFIGURATION).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + CONFIGURATION, e);
        }
        return new DemoLogging(previous, file);
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        if (previous != null) {
            Configurator.reconfigure(previous);
        }
        System.clearProperty(FILE_PROPERTY);
    }
}
