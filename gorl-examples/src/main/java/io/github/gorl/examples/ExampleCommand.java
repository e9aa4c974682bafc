package io.github.gorl.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gorl example <name>}: runs one of the example programs. */
@Command(name = "example", mixinStandardHelpOptions = true, description = "Run an example program.",
        subcommands = {ExampleCommand.Custom.class})
final class ExampleCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand: lists the examples. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an example: custom");
    }

    /** {@code gorl example custom}: {@link CustomParts}, a user decoder and a user optimizer on Pendulum. */
    @Command(name = "custom", mixinStandardHelpOptions = true,
            description = "A user-written decoder with the built-in PPO, and a user-written optimizer with the"
                    + " built-in flow-matching decoder, each trained briefly on Pendulum (docs/extending.md).")
    static final class Custom implements Callable<Integer> {

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            CustomParts.main(new String[] {Long.toString(seed)});
            return 0;
        }
    }
}
