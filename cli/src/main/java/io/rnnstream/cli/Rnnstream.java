package io.rnnstream.cli;

import io.rnnstream.stream.config.ConfigException;
import io.rnnstream.stream.config.RnnstreamVersion;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of the {@code rnnstream} command line: {@code train}, {@code evaluate}, {@code
 * train-lm}, {@code generate}, {@code cells}, {@code stream}, {@code retrain}, {@code produce},
 * {@code tail}, {@code topics}, {@code promote}, {@code rollback}, {@code demo} and {@code
 * publish}.
 *
 * <p>Exit codes, the same for every command: 0 on success; 1 when the work fails (unreadable data,
 * a bad artifact, an unreachable broker, a missing topic); 2 for usage and configuration errors
 * (unknown or out-of-range options, a bad setting, a data file whose format cannot be told).
 * Failures print one line {@code rnnstream: <message>} to stderr; {@code --verbose} adds the stack
 * trace.
 */
@Command(
        name = "rnnstream",
        mixinStandardHelpOptions = true,
        versionProvider = Rnnstream.Version.class,
        description =
                "Trains, evaluates and streams recurrent sequence classifiers and language models.",
        subcommands = {
            TrainCommand.class,
            EvaluateCommand.class,
            TrainLmCommand.class,
            GenerateCommand.class,
            CellsCommand.class,
            StreamCommand.class,
            RetrainCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            PromoteCommand.class,
            RollbackCommand.class,
            RetireCommand.class,
            TopicsCommand.class,
            DemoCommand.class,
            PublishCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Rnnstream implements Runnable {

    /** Exit code for failures while doing the work. */
    public static final int EXIT_FAILURE = 1;

    /** Exit code for command-line mistakes; picocli's default for usage errors. */
    public static final int EXIT_USAGE = 2;

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Kafka's test kit (the demo's broker) ships a log4j2.yaml, which log4j prefers to a
        // log4j2.xml: name ours explicitly so the CLI's quiet logging applies.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2.xml");
        }
        FlinkPlugins.initialize();
        System.exit(
                run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Rnnstream());
        // Every command that has the standard --version option prints the release with it; train
        // names the model version with --version and so has none.
        commandLine
                .getSubcommands()
                .values()
                .forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(Rnnstream::usageError);
        commandLine.setExecutionExceptionHandler(Rnnstream::failure);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing subcommand: train, evaluate, train-lm, generate, cells, stream, retrain,"
                        + " produce, tail, topics, promote, rollback, demo or publish");
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("rnnstream: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int failure(
            Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
        PrintWriter err = command.getErr();
        if (e instanceof CommandLine.ParameterException usage) {
            return usageError(usage, new String[0]);
        }
        err.println("rnnstream: " + message(e));
        if (verbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    /** 2 for what the user must change in the command or the settings, 1 for everything else. */
    static int exitCode(Throwable e) {
        return e instanceof UsageFailure || e instanceof ConfigException
                ? EXIT_USAGE
                : EXIT_FAILURE;
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** The exception's own message; for a message-less one, its type and that of its cause. */
    static String message(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message.lines().findFirst().orElse(message);
        }
        String text = e.getClass().getSimpleName();
        return e.getCause() == null ? text : text + ": " + message(e.getCause());
    }

    /** The version of rnnstream, as the build wrote it into {@code version.properties}. */
    public static String version() {
        return RnnstreamVersion.get();
    }

    /** Supplies {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "rnnstream " + version(),
                "DL4J " + io.rnnstream.core.train.ArtifactFactory.DL4J_VERSION
            };
        }
    }
}
