package io.github.gorl.spark;

import io.github.gorl.core.train.RunLock;
import io.github.gorl.examples.GorlCli;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.TaskContext;

/**
 * Trains one cell on an executor, in a child process: the {@code gorl train} command line the local engine runs, with
 * this machine's java and class path. A child process rather than a thread of the executor because PyTorch's native
 * state (threads, allocator, the engine's global settings) belongs to a JVM, not a thread, and because a child makes
 * "the executor died" simple: the child dies with it ({@code -Dgorl.exitWithParent=true}), and the retry continues
 * from the last checkpoint.
 *
 * <p>An attempt, holding the run directory's lock while it decides: skips a cell an earlier attempt finished
 * ({@code summary.json}), continues one that left a checkpoint ({@code gorl train --resume DIR}, exact), and otherwise
 * starts it anew ({@code --overwrite} clears what an attempt killed before its first checkpoint left). A non-zero exit
 * fails the task, so that Spark tries it again, up to {@code spark.task.maxFailures} times.
 */
final class CellTask {

    /** Starts the message of a failed attempt; the driver finds the exit code after it. */
    static final String FAILURE_PREFIX = "gorl cell ";

    /** How long an attempt waits for the run directory's lock (see {@link CellSpec#lockWaitMillis()}). */
    static final long LOCK_WAIT_MILLIS = 60_000;

    /** The cell's log, as the local engine names it. */
    static final String LOG_FILE = "train.log";

    private CellTask() {}

    /**
     * Runs one attempt at a cell.
     *
     * @param spec the cell
     * @return how it ended, when it succeeded
     * @throws IllegalStateException when the training exits with a non-zero code (Spark then retries the task)
     * @throws Exception when the run directory cannot be prepared, or the wait is interrupted (the task was killed)
     */
    static CellReport run(CellSpec spec) throws Exception {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        Path dir = Path.of(spec.runDirectory());
        Path log = dir.resolve(LOG_FILE);
        List<String> args;
        boolean resumed;
        try (RunLock lock = waitForLock(dir, spec.lockWaitMillis())) {
            if (Files.isRegularFile(dir.resolve("summary.json"))) {
                return new CellReport(0, attempt, false); // an earlier attempt finished it before it was lost
            }
            resumed = Files.isRegularFile(dir.resolve("checkpoint").resolve("checkpoint.json"))
                    && Files.isRegularFile(dir.resolve("train-args.json"));
            if (resumed) {
                args = List.of("train", "--resume", dir.toString());
                Files.writeString(log, String.format(Locale.ROOT, "# attempt %d on %s: gorl train --resume %s%n",
                        attempt + 1, host(), dir), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } else {
                args = new ArrayList<>(spec.trainArgs());
                args.add("--overwrite");
                Files.writeString(log, "# " + spec.commandLine() + "\n", StandardCharsets.UTF_8);
                if (attempt > 0) {
                    Files.writeString(log, String.format(Locale.ROOT, "# attempt %d on %s: no checkpoint yet,"
                            + " starting anew%n", attempt + 1, host()), StandardCharsets.UTF_8,
                            StandardOpenOption.APPEND);
                }
            }
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(spec.jvmOptions());
        // Spark's own class path may hold a second SLF4J provider (log4j's); the CLI logs through slf4j-simple.
        command.add("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider");
        command.add("-Dgorl.exitWithParent=true");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classPath()));
        command.add(GorlCli.class.getName());
        command.addAll(args);
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close(); // a run reads nothing
        int exit;
        try {
            exit = process.waitFor();
        } finally {
            // The task was killed (its job cancelled) or the wait failed: the training must not outlive it.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s%s: exit code %d on attempt %d",
                    FAILURE_PREFIX, spec.id(), exit, attempt + 1));
        }
        return new CellReport(seconds, attempt, resumed);
    }

    /** Locks {@code dir}, waiting up to {@code millis} for a holder to let go. */
    private static RunLock waitForLock(Path dir, long millis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            try {
                return RunLock.acquire(dir);
            } catch (IllegalStateException inUse) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(inUse.getMessage() + " (waited " + millis / 1000 + " s)", inUse);
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * The class path a cell's JVM gets here: this JVM's own, then the jars Spark added for the application
     * ({@code spark.jars}, {@code --jars}), which its task class loader holds.
     */
    static List<String> classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        for (ClassLoader l = Thread.currentThread().getContextClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    if (url.getProtocol().equals("file")) {
                        try {
                            entries.add(Path.of(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            // not a local file: nothing a child JVM could load
                        }
                    }
                }
            }
        }
        return List.copyOf(entries);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }

}
