package io.github.gorl.examples;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gorl} command line: {@code gorl train ...}. Errors are reported as one clear line and a
 * non-zero exit code; {@code --verbose} adds the stack trace.
 */
@Command(name = "gorl", mixinStandardHelpOptions = true, versionProvider = GorlCli.Version.class,
        description = "Online reinforcement learning with generative policies (GoRL) on the JVM.",
        subcommands = {TrainCommand.class, MultimodalityCommand.class, ExperimentsCommand.class, ReportCommand.class,
                CompareCommand.class, ExampleCommand.class, CommandLine.HelpCommand.class})
public final class GorlCli {

    private GorlCli() {}

    /**
     * Runs the command line.
     *
     * @param args the arguments, for instance {@code train --task Pendulum}
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting.
     *
     * @param args the arguments
     * @return the exit code: 0 on success, 1 on a runtime error, 2 on a usage error
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new GorlCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose"));
            PrintWriter err = commandLine.getErr();
            err.println("gorl: error: " + describe(e));
            if (verbose) {
                e.printStackTrace(err);
            } else {
                err.println("(run again with --verbose for the stack trace)");
            }
            err.flush();
            return 1;
        });
        return cli.execute(args);
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Reports the library version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GorlCli.class.getPackage().getImplementationVersion();
            return new String[] {"gorl-java " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
