package io.github.gorl.spark;

import io.github.gorl.core.train.RunLock;
import io.github.gorl.examples.ExperimentEngine;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;

/**
 * Trains one cell on an executor, in a child process: the {@code gorl train} command line the local engine runs, with
 * this machine's java and class path. A child process rather than a thread of the executor because PyTorch's native
 * state (threads, allocator, the engine's global settings) belongs to a JVM, not a thread, and because a child makes
 * "the executor died" simple: the child dies with it ({@code -Dgorl.exitWithParent=true}), and the retry continues
 * from the last checkpoint. An interrupted task (Spark interrupts a cancelled task only with
 * {@code spark.job.interruptOnCancel}), and a JVM that shuts down (Ctrl-C of the embedded mode, an executor being
 * stopped), stop the child the way the local engine does: at its next safe point, with a checkpoint.
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

    /** The cells training in this JVM, with their logs. */
    private static final Map<Process, Path> LIVE = new ConcurrentHashMap<>();

    /** The cells asked to stop already. */
    private static final Set<Process> ASKED = ConcurrentHashMap.newKeySet();

    private static final AtomicBoolean HOOK_INSTALLED = new AtomicBoolean();

    /** Set by the shutdown hook, before it stops the cells. */
    private static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();

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
        installStopHook();
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LIVE.put(process, log);
        int exit;
        try {
            process.getOutputStream().close(); // a run reads nothing
            exit = process.waitFor();
        } finally {
            // The task was interrupted (killed) or the wait failed: the training must not outlive it. Asked to
            // stop, it writes a checkpoint at its next safe point, which the next attempt continues from.
            if (process.isAlive()) {
                stop(List.of(process));
            }
            LIVE.remove(process);
            ASKED.remove(process);
        }
        if (exit != 0 && SHUTTING_DOWN.get()) {
            // Stopped by this JVM's shutdown: the driver no longer waits for this task, and a task that ended now
            // would end against a Spark that is stopping (errors in the log for nothing). The JVM halts once its
            // shutdown hooks, which wait for the cells, are done.
            Thread.sleep(Long.MAX_VALUE);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s%s: exit code %d on attempt %d",
                    FAILURE_PREFIX, spec.id(), exit, attempt + 1));
        }
        return new CellReport(seconds, attempt, resumed);
    }

    /**
     * Stops the cells among {@code processes} that nobody has asked to stop yet, at their safe points, and waits for
     * them; a cell that another thread has asked already is left to it (a second SIGTERM would end it at once).
     */
    private static void stop(Collection<Process> processes) {
        Map<Process, Path> ask = new HashMap<>();
        for (Process p : processes) {
            Path log = LIVE.get(p);
            if (log != null && ASKED.add(p)) {
                ask.put(p, log);
            }
        }
        ExperimentEngine.stopGracefully(ask, ExperimentEngine.STOP_SILENCE_SECONDS);
    }

    /**
     * Makes this JVM (an executor, or the driver in local mode) stop its cells at their safe points when it shuts
     * down: a Ctrl-C or SIGTERM of {@code gorl experiments --engine spark}, or a cluster manager ending the executor.
     * Without it the cells would exit at once with their parent ({@code -Dgorl.exitWithParent}) and lose what they
     * trained since their last checkpoint. A cluster manager may kill the executor before a far safe point (Spark's
     * standalone worker waits 10 s); the cell then ends as if the executor had died.
     */
    private static void installStopHook() {
        if (HOOK_INSTALLED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    SHUTTING_DOWN.set(true);
                    stop(List.copyOf(LIVE.keySet()));
                }, "gorl-spark-cell-stop"));
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting already: no cell will start here.
            }
        }
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
