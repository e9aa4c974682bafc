package io.github.gorl.spark;

import io.github.gorl.examples.ExperimentEngine;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code spark} engine of {@code gorl experiments}: each unfinished cell of the grid is one Spark job of one task,
 * which trains the cell in a {@code gorl train} child process of its executor.
 *
 * <p>Why a job per cell rather than one job of many tasks: Spark aborts a whole job, and kills its running tasks, when
 * one task has failed {@code spark.task.maxFailures} times; a cell that keeps failing must not stop the others. Jobs
 * submitted together run side by side as executor cores free up, in the grid's order.
 *
 * <p>Without {@code --master} (and outside {@code spark-submit}, which sets {@code spark.master}) the engine runs an
 * embedded {@code local[N,F]} Spark in this JVM: {@code N} =
 * {@code --parallel} cells at once, each retried up to {@code F} = {@code spark.task.maxFailures} (default 4) times,
 * as a cluster would. Every {@code spark.*} Java system property configures the Spark context, as usual.
 */
public final class SparkEngine implements ExperimentEngine {

    /** Spark's default for {@code spark.task.maxFailures}, also given to the embedded local mode. */
    static final int DEFAULT_MAX_FAILURES = 4;

    /** Finds Spark's report of the cell task's own failure in a job failure's message. */
    private static final Pattern CELL_FAILURE = Pattern.compile(Pattern.quote(CellTask.FAILURE_PREFIX)
            + "[^:]*: (exit code (-?\\d+)[^\\n]*)");

    /** {@code local}, {@code local[N]}, {@code local[*]} or {@code local[N,F]} (group 1: {@code F}). */
    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[[^,\\]]+(?:,\\s*(\\d+))?\\])?");

    /** Creates the engine; {@link java.util.ServiceLoader} calls this. */
    public SparkEngine() {}

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public List<CellResult> run(List<Cell> cells, Settings settings, PrintStream log) throws Exception {
        SparkConf conf = new SparkConf().setAppName("gorl experiments");
        int maxFailures = conf.getInt("spark.task.maxFailures", DEFAULT_MAX_FAILURES);
        if (maxFailures < 1) {
            throw new IllegalArgumentException("spark.task.maxFailures must be >= 1, got " + maxFailures);
        }
        // --master, else the master spark-submit passes (spark.master), else the embedded local mode.
        String master = settings.master() != null ? settings.master()
                : conf.contains("spark.master") ? conf.get("spark.master")
                : String.format(Locale.ROOT, "local[%d,%d]", settings.parallel(), maxFailures);
        conf.setMaster(master);
        int attempts = attempts(master, maxFailures);
        boolean local = master.startsWith("local");
        if (local && !conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false"); // nobody looks at an embedded run's UI; it costs a port and time
        }
        List<String> classPath = CellTask.classPath();
        if (!local && !conf.contains("spark.jars") && !conf.contains("spark.executor.extraClassPath")) {
            // The executors load this class path from where the driver has it: the install on shared storage, at the
            // same path on every node, as the run directories are (docs/experiments.md).
            conf.set("spark.executor.extraClassPath", String.join(File.pathSeparator, classPath));
        }
        List<CellSpec> specs = new ArrayList<>();
        for (Cell cell : cells) {
            specs.add(new CellSpec(cell.id(), cell.runDirectory().toAbsolutePath().toString(),
                    new ArrayList<>(cell.trainArgs()), cell.commandLine(), new ArrayList<>(settings.jvmOptions()),
                    CellTask.LOCK_WAIT_MILLIS));
        }
        ExecutorService waiters = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gorl-spark-cell-wait");
            t.setDaemon(true);
            return t;
        });
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            spark.setLogLevel(System.getProperty("gorl.spark.logLevel", "WARN"));
            log.printf(Locale.ROOT, "Spark %s, master %s: %d runs, each tried up to %d times%n", spark.version(),
                    master, cells.size(), attempts);
            List<JavaFutureAction<List<CellReport>>> jobs = new ArrayList<>();
            for (CellSpec spec : specs) {
                spark.setJobDescription(spec.id());
                jobs.add(spark.parallelize(List.of(spec), 1).map(CellTask::run).collectAsync());
            }
            AtomicInteger ended = new AtomicInteger();
            List<CompletableFuture<CellResult>> results = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                JavaFutureAction<List<CellReport>> job = jobs.get(i);
                CellSpec spec = specs.get(i);
                results.add(CompletableFuture.supplyAsync(() -> {
                    Ended e = result(spec, job, attempts);
                    CellResult r = e.result();
                    String counter = String.format(Locale.ROOT, "[%d/%d]", ended.incrementAndGet(), specs.size());
                    synchronized (log) {
                        if (r.exitCode() == 0) {
                            log.printf(Locale.ROOT, "%s done   %s in %.0f s%s%n", counter, r.id(), r.seconds(),
                                    e.note());
                        } else if (spark.sc().isStopped()) {
                            // This JVM is shutting down (Ctrl-C, SIGTERM): the cell stops at its next safe point.
                            log.printf(Locale.ROOT, "%s stopped %s: it writes a checkpoint at its next safe point;"
                                    + " the same command continues it%n", counter, r.id());
                        } else {
                            log.printf(Locale.ROOT, "%s FAILED %s: %s%n", counter, r.id(), r.message());
                        }
                    }
                    return r;
                }, waiters));
            }
            List<CellResult> out = new ArrayList<>();
            for (CompletableFuture<CellResult> r : results) {
                out.add(r.get());
            }
            return out;
        } finally {
            waiters.shutdownNow();
        }
    }

    /**
     * How many times Spark tries a task on {@code master}: {@code local} and {@code local[N]} once (Spark's local
     * mode ignores {@code spark.task.maxFailures}), {@code local[N,F]} {@code F} times, a cluster
     * {@code spark.task.maxFailures} times.
     */
    static int attempts(String master, int maxFailures) {
        Matcher local = LOCAL_MASTER.matcher(master);
        if (!local.matches()) {
            return maxFailures;
        }
        return local.group(1) == null ? 1 : Integer.parseInt(local.group(1));
    }

    /** Waits for a cell's job; a failed job becomes a failed result naming what Spark saw last. */
    private static Ended result(CellSpec spec, JavaFutureAction<List<CellReport>> job, int attempts) {
        try {
            CellReport report = job.get().get(0);
            String note = report.attempt() == 0 ? "" : String.format(Locale.ROOT, " (attempt %d%s)",
                    report.attempt() + 1, report.resumed() ? ", resumed from its checkpoint" : "");
            return new Ended(new CellResult(spec.id(), 0, report.seconds(), ""), note);
        } catch (InterruptedException e) {
            job.cancel(true);
            Thread.currentThread().interrupt();
            return new Ended(new CellResult(spec.id(), -1, 0, "interrupted while waiting for Spark"), "");
        } catch (ExecutionException e) {
            return new Ended(failure(spec.id(), e.getCause() == null ? e : e.getCause(), attempts), "");
        }
    }

    /** A cell's result and, for a success after a retry, a note for the progress line. */
    private record Ended(CellResult result, String note) {}

    /**
     * A failed cell job as a result: the exit code and message of its last attempt when the cell task reported one,
     * else the first line of Spark's reason (a lost executor, for instance).
     */
    static CellResult failure(String id, Throwable jobFailure, int attempts) {
        String text = String.valueOf(jobFailure.getMessage());
        String last = attempts == 1 ? " (its only attempt)" : " (the last of " + attempts + ")";
        Matcher m = CELL_FAILURE.matcher(text);
        if (m.find()) {
            return new CellResult(id, Integer.parseInt(m.group(2)), 0, m.group(1).strip() + last);
        }
        int recent = text.indexOf("most recent failure: ");
        String reason = (recent >= 0 ? text.substring(recent + "most recent failure: ".length()) : text).lines()
                .findFirst().orElse("").strip();
        return new CellResult(id, -1, 0, "Spark: " + reason);
    }
}
