package io.rnnstream.testkit;

import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures everything logged at INFO and above in this JVM (job, Flink, Kafka clients and broker)
 * while open, instead of printing it, so a test can search what a run would have written to its
 * logs.
 */
public final class CapturedLogs implements AutoCloseable {

    private static final List<String> LOGGERS =
            List.of("", "org.apache.kafka", "kafka", "org.apache.flink", "io.rnnstream");

    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final StringWriter text = new StringWriter();
    private final Appender appender;
    private final Map<String, Level> levels = new HashMap<>();
    private final Appender console;

    public CapturedLogs() {
        Configuration config = context.getConfiguration();
        appender =
                WriterAppender.newBuilder()
                        .setName("captured-logs")
                        .setTarget(text)
                        .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n%ex").build())
                        .build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig root = config.getRootLogger();
        console = root.getAppenders().get("console");
        root.removeAppender("console");
        root.addAppender(appender, Level.INFO, null);
        for (String name : LOGGERS) {
            LoggerConfig logger = config.getLoggerConfig(name);
            levels.put(logger.getName(), logger.getLevel());
            logger.setLevel(Level.INFO);
        }
        context.updateLoggers();
    }

    /** Everything captured so far. */
    public String text() {
        return text.toString();
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        root.removeAppender(appender.getName());
        if (console != null) {
            root.addAppender(console, null, null);
        }
        levels.forEach((name, level) -> config.getLoggerConfig(name).setLevel(level));
        context.updateLoggers();
        appender.stop();
    }
}
