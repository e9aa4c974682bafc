package io.github.gorl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback, started from the Spark jars as child JVMs: one Master and two Workers
 * of one core each. The grid is submitted to it with {@code --master spark://...}; while a gorl-fm cell trains past
 * its first checkpoint, its executor is killed ({@code kill -9}). Spark retries the cell, the retry continues from the
 * checkpoint, and every cell ends with exactly the result of the uninterrupted local run.
 */
class StandaloneClusterTest {

    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://\\S+)");

    @TempDir
    static Path temp;

    private static final List<Process> daemons = new ArrayList<>();
    private static final Set<Long> workers = ConcurrentHashMap.newKeySet();
    private static String masterUrl;

    @BeforeAll
    static void startCluster() throws Exception {
        Grids.reference(); // the uninterrupted results, before the cluster takes the cores
        // Workers launch executors from SPARK_HOME/jars; here the executors get this JVM's class path instead
        // (spark.executor.extraClassPath, as from an install on shared storage), so the folder stays empty.
        Path sparkHome = Files.createDirectories(temp.resolve("spark-home/jars"));
        Path masterLog = temp.resolve("master.log");
        daemons.add(daemon("org.apache.spark.deploy.master.Master", masterLog, sparkHome.getParent(),
                "--host", "127.0.0.1", "--port", "0", "--webui-port", "0"));
        masterUrl = awaitLine(masterLog, MASTER_URL, Duration.ofSeconds(60)).group(1);
        for (int w = 1; w <= 2; w++) {
            Path log = temp.resolve("worker-" + w + ".log");
            Process worker = daemon("org.apache.spark.deploy.worker.Worker", log, sparkHome.getParent(), "--host",
                    "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir",
                    Files.createDirectories(temp.resolve("work-" + w)).toString(), masterUrl);
            daemons.add(worker);
            workers.add(worker.pid());
            awaitLine(log, Pattern.compile("Successfully registered with master"), Duration.ofSeconds(60));
        }
    }

    @AfterAll
    static void stopCluster() {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aCellWhoseExecutorIsKilled_isRetried_andResumes_toTheUninterruptedResult() throws Exception {
        Path out = temp.resolve("cluster");
        AtomicReference<String> killed = new AtomicReference<>();
        Thread killer = new Thread(() -> killed.set(killAnExecutorMidRun(out)), "executor-killer");
        killer.setDaemon(true);
        killer.start();
        Map<String, String> conf = Map.of("spark.driver.host", "127.0.0.1", "spark.driver.bindAddress", "127.0.0.1",
                "spark.executor.memory", "512m", "spark.ui.enabled", "false");
        conf.forEach(System::setProperty);
        Grids.Invocation run;
        try {
            run = Grids.experiments(out, List.of("--engine", "spark", "--master", masterUrl), Grids.GRID);
        } finally {
            conf.keySet().forEach(System::clearProperty);
            killer.interrupt();
            killer.join();
        }
        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.printed()).contains("master " + masterUrl).contains("4 of 4 runs finished");
        assertThat(killed.get()).as("a gorl-fm cell's executor was killed past its first checkpoint").isNotNull();

        String log = Files.readString(out.resolve("runs").resolve(killed.get()).resolve("train.log"));
        assertThat(log).startsWith("# train --task Pendulum").contains("# attempt 2 on ")
                .containsPattern("Resuming \\S+ from env step [1-9]");
        for (String cell : Grids.CELLS) {
            Grids.assertSameAsReference(out, cell);
        }
        assertThat(out.resolve("curves.csv")).hasSameTextualContentAs(Grids.reference().resolve("curves.csv"));
        assertThat(Grids.tableRows(out)).isEqualTo(Grids.tableRows(Grids.reference()));
    }

    /**
     * Waits for a gorl-fm cell that has written a checkpoint and not yet its summary, and kills (SIGKILL) the Spark
     * executor whose child trains it.
     *
     * @return the killed cell, or {@code null} if interrupted first
     */
    private static String killAnExecutorMidRun(Path out) {
        while (!Thread.currentThread().isInterrupted()) {
            for (String cell : List.of("Pendulum/gorl-fm/seed-1", "Pendulum/gorl-fm/seed-2")) {
                Path dir = out.resolve("runs").resolve(cell);
                if (!Files.isRegularFile(dir.resolve("checkpoint/checkpoint.json"))
                        || Files.exists(dir.resolve("summary.json"))) {
                    continue;
                }
                // The cell's JVM is a child of its executor, which is a child of one of the Workers started here.
                Optional<ProcessHandle> executor = trainingProcess(dir).flatMap(ProcessHandle::parent)
                        .filter(p -> p.parent().map(w -> workers.contains(w.pid())).orElse(false));
                if (executor.isPresent()) {
                    executor.get().destroyForcibly();
                    return cell;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return null;
    }

    /** The live process that holds a run directory's lock: {@code run.lock} names its pid. */
    private static Optional<ProcessHandle> trainingProcess(Path dir) {
        try {
            Matcher m = Pattern.compile("^pid (\\d+)").matcher(Files.readString(dir.resolve("run.lock")));
            return m.find() ? ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts a Spark daemon from this JVM's class path, with Spark's Java 17 options, logging into {@code log}. */
    private static Process daemon(String main, Path log, Path sparkHome, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
        for (String option : System.getProperty("gorl.spark.jvmOptions", "").split(" ")) {
            if (!option.isBlank()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** Waits for a line of a daemon's log; fails with the log when it does not come. */
    private static Matcher awaitLine(Path log, Pattern line, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = line.matcher(text);
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no line matching " + line + " in " + log + " within " + within + ":"
                + "\n" + text);
    }
}
