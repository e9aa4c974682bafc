package io.github.gorl.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where {@code gorl experiments --engine NAME} runs the unfinished cells of a grid, instead of this machine's pool of
 * {@code gorl train} processes ({@code --engine local}, the default). Engines are found with {@link
 * java.util.ServiceLoader} on the class path: the optional {@code gorl-spark} module provides {@code spark}, and the
 * {@code ./gorl} launcher puts it on the class path when {@code --engine spark} is given, so that no other module
 * depends on it.
 *
 * <p>An engine only runs cells. The grid decides which cells are unfinished, and once the engine returns it reads every
 * run directory and writes {@code curves.csv}, {@code figure.png} and {@code summary.md} as for the local engine: a
 * cell counts as finished when its {@code summary.json} exists, whatever the engine reported.
 */
public interface ExperimentEngine {

    /**
     * How long {@link #stopGracefully} waits for a training process that writes nothing to its log before it takes
     * it for stuck and kills it, in seconds: the local engine's own wait.
     */
    long STOP_SILENCE_SECONDS = ExperimentGrid.STOP_SILENCE_SECONDS;

    /**
     * Stops {@code gorl train} processes the way the local engine stops its own when the harness is stopped: each is
     * sent SIGTERM, on which it trains on to its next safe point, writes a checkpoint there and exits; one that
     * writes nothing to its log for {@code silenceSeconds} is killed with its descendants. Returns when every one has
     * ended; an interrupt while waiting kills those still alive. An engine whose cells train in child processes calls
     * this when a cell's task is cancelled and when its own JVM shuts down, so that the next attempt or invocation
     * continues from where the cell stopped. Each process must be asked once: a second SIGTERM makes {@code gorl
     * train} exit at once, without a checkpoint.
     *
     * @param running each process with the log file its output goes to
     * @param silenceSeconds how long a process may write nothing before it is killed
     */
    static void stopGracefully(Map<Process, Path> running, long silenceSeconds) {
        ExperimentGrid.stop(running, silenceSeconds);
    }

    /**
     * One unfinished (task, algorithm, seed) cell of the grid.
     *
     * @param id {@code task/algo/seed-S}, as the grid's reports name it
     * @param runDirectory its run directory, on storage that the engine's workers and this process share
     * @param trainArgs the {@code gorl} arguments that train it from scratch, starting with {@code train} and ending
     *     with {@code --out runDirectory}
     */
    record Cell(String id, Path runDirectory, List<String> trainArgs) {
        /** Copies the arguments and checks that nothing is missing. */
        public Cell {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(runDirectory, "runDirectory");
            trainArgs = List.copyOf(trainArgs);
        }

        /**
         * The training command as the first line of the cell's {@code train.log} records it ({@code # } before it):
         * the grid compares it with the command a later invocation would give, to warn about changed options.
         *
         * @return {@link #trainArgs} quoted for a shell
         */
        public String commandLine() {
            return ExperimentGrid.commandLine(trainArgs);
        }
    }

    /**
     * How the grid asks the engine to run.
     *
     * @param master where to run: the engine's own address ({@code --master}), or {@code null} for its default
     * @param parallel cells at once on this machine when the engine runs here ({@code --parallel})
     * @param jvmOptions the options of the JVM that trains a cell ({@code -D...}, {@code -X...}), as the local engine
     *     passes them; the engine adds the java binary, the class path and the main class where the cell runs
     */
    record Settings(String master, int parallel, List<String> jvmOptions) {
        /** Copies the options and checks {@code parallel}. */
        public Settings {
            if (parallel < 1) {
                throw new IllegalArgumentException("--parallel must be >= 1, got " + parallel);
            }
            jvmOptions = List.copyOf(jvmOptions);
        }
    }

    /**
     * How a cell ended.
     *
     * @param id the cell's id
     * @param exitCode the exit code of its last {@code gorl train} process, or -1 when it did not get to run
     * @param seconds wall time of its last attempt
     * @param message for a failure: what happened, such as {@code exit code 1 on attempt 4 of 4}; the grid adds the
     *     reason from the cell's log and the log's path. Empty on success
     */
    record CellResult(String id, int exitCode, double seconds, String message) {}

    /**
     * The engine's name, as {@code --engine} gives it.
     *
     * @return the name, lower case
     */
    String name();

    /**
     * Runs every cell and waits for all of them. A failed cell does not stop the others.
     *
     * @param cells the unfinished cells, in the grid's order
     * @param settings where and how to run
     * @param log where progress goes
     * @return one result per cell, in the order of {@code cells}
     * @throws Exception if the engine itself cannot run (its cells' failures are results, not exceptions)
     */
    List<CellResult> run(List<Cell> cells, Settings settings, PrintStream log) throws Exception;
}
