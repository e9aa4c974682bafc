package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory as a transaction, with real {@code gorl train} processes: exclusive (a second run on it is refused,
 * naming the holder), complete or untouched through SIGTERM, a double Ctrl-C and a full disk; and a quiet start.
 * Signals are sent only once the child printed its "Training" line, and waits are bounded generously: nothing here
 * depends on how fast the machine is.
 */
class RunDirectoryProcessTest {

    private static final String[] TRAIN = {"train", "--task", "Pendulum", "--decoder", "identity", "--steps", "4096",
            "--envs", "4", "--eval-episodes", "2", "--eval-every", "1024", "--checkpoint-every", "1024",
            "--seed", "3"};
    /** A run that would take hours: only a signal ends it. */
    private static final String[] ENDLESS = {"train", "--task", "Pendulum", "--decoder", "identity", "--steps",
            "100000000", "--envs", "4", "--eval-episodes", "2", "--seed", "3"};

    @TempDir
    Path temp;

    @Test
    void sigterm_writesACheckpointAtTheNextSafePoint_exits143_andResumeEndsAsTheUninterruptedRun() throws Exception {
        Path whole = temp.resolve("whole");
        assertThat(GorlCli.run(CliProcess.with(TRAIN, "--out", whole.toString()))).isZero();

        Path run = temp.resolve("stopped");
        Path log = temp.resolve("stopped.log");
        Process p = CliProcess.start(log, CliProcess.with(TRAIN, "--out", run.toString()));
        awaitLine(p, log, "Training ");
        signal(p, "TERM");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(log);
        assertThat(p.exitValue()).as(printed).isEqualTo(143);
        assertThat(printed).contains("SIGTERM received").contains("checkpoint written")
                .contains("--resume " + run).doesNotContain("\tat ");
        assertThat(run.resolve("summary.json")).doesNotExist();
        assertThat(JsonFile.read(run.resolve("checkpoint/checkpoint.json")).path("envSteps").asLong())
                .isBetween(1024L, 3072L);
        assertThat(names(run)).noneMatch(n -> n.contains(".tmp-") || n.contains(".old-"));
        // A quiet start: no DJL log line (its CUDA probe warned twice on every CPU-only start).
        assertThat(printed).doesNotContain("CudaUtils").doesNotContain(" WARN ").doesNotContain(" INFO ");

        Process resumed = CliProcess.start(temp.resolve("resumed.log"), "train", "--resume", run.toString());
        assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(resumed.exitValue()).as(Files.readString(temp.resolve("resumed.log"))).isZero();
        JsonNode expected = JsonFile.read(whole.resolve("summary.json"));
        JsonNode actual = JsonFile.read(run.resolve("summary.json"));
        assertThat(actual.path("env_steps").asLong()).isEqualTo(expected.path("env_steps").asLong());
        assertThat(actual.path("final_eval_return").asDouble())
                .isEqualTo(expected.path("final_eval_return").asDouble());
        assertThat(actual.path("best_eval_return").asDouble()).isEqualTo(expected.path("best_eval_return").asDouble());

        // --out naming an existing run is refused; --overwrite replaces it, nothing of the old run left in it.
        assertThat(Console.errorOf(CliProcess.with(TRAIN, "--out", whole.toString()))).contains("already holds a run")
                .contains("--resume " + whole).contains("--overwrite");
        assertThat(GorlCli.run("train", "--task", "Pendulum", "--decoder", "identity", "--steps", "512", "--envs",
                "4", "--eval-episodes", "2", "--seed", "4", "--out", whole.toString(), "--overwrite")).isZero();
        assertThat(JsonFile.read(whole.resolve("summary.json")).path("env_steps").asLong()).isEqualTo(512);
        assertThat(Files.readAllLines(whole.resolve("metrics.csv")).stream().skip(1)
                .mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).max().orElseThrow()).isEqualTo(512);
        assertThat(Files.readString(whole.resolve(TrainArguments.FILE))).contains("\"512\"")
                .doesNotContain("--overwrite");
        assertThat(Console.errorOf("train", "--resume", whole.toString(), "--overwrite")).contains("give one");
    }

    @Test
    void secondRunOnALockedDirectory_isRefusedNamingTheHolder_andASecondCtrlCExitsAtOnce() throws Exception {
        Path run = temp.resolve("busy");
        Path log = temp.resolve("busy.log");
        Process p = CliProcess.start(log, CliProcess.with(ENDLESS, "--out", run.toString()));
        try {
            awaitLine(p, log, "Training ");
            // "Training" is printed before train() opens metrics.csv: wait for the file the refusals must not touch.
            awaitFile(p, log, run.resolve("metrics.csv"));
            String holder = "pid " + p.pid() + ", started ";
            assertThat(Console.errorOf("train", "--resume", run.toString())).contains("is in use by another run")
                    .contains(holder);
            assertThat(Console.errorOf(CliProcess.with(ENDLESS, "--out", run.toString(), "--overwrite")))
                    .contains("is in use by another run").contains(holder);
            assertThat(run.resolve("metrics.csv")).exists(); // the holder's, untouched

            // Ctrl-C, unless this JVM was started with SIGINT ignored (a background job of a non-interactive shell,
            // `cmd &`): the child inherits that, the JVM then cannot handle it, and TERM takes the same path.
            String stopSignal = signalIgnored(2) ? "TERM" : "INT";
            signal(p, stopSignal);
            awaitLine(p, log, "SIG" + stopSignal + " received");
            signal(p, stopSignal);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits at once on the second Ctrl-C").isTrue();
            assertThat(p.exitValue()).isEqualTo(StopOnSignal.exitCode(stopSignal));
            assertThat(Files.readString(log)).contains("exiting now");
        } finally {
            p.destroyForcibly().waitFor();
        }
        // The OS released the dead process's lock: the directory can be resumed (here only up to the lock).
        try (var lock = io.github.gorl.core.train.RunLock.acquire(run)) {
            assertThat(lock.directory()).isEqualTo(run);
        }
    }

    @Test
    void fullDisk_namesTheCause_keepsThePreviousCheckpointLoadable_andLeavesNoTemporaryFile() throws Exception {
        Path disk = temp.resolve("disk");
        Files.createDirectories(disk);
        // One checkpoint (~110 KB) and the run's small files fit; a second one beside it (a swap needs both) does not.
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes()).strip();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        if (!mounted) {
            System.out.println("skipped: cannot mount a small tmpfs here (" + why + ")");
        }
        Assumptions.assumeTrue(mounted, "cannot mount a small tmpfs here: " + why);
        try {
            Path run = disk.resolve("run");
            Path log = temp.resolve("full.log");
            Process p = CliProcess.start(log, CliProcess.with(TRAIN, "--out", run.toString()));
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String printed = Files.readString(log);
            assertThat(p.exitValue()).as(printed).isEqualTo(1);
            assertThat(printed).contains("gorl: error: ").contains("No space left on device")
                    .doesNotContain("\tat ");
            assertThat(names(run)).noneMatch(n -> n.contains(".tmp"));
            try (AgentFactory.LoadedRun loaded = AgentFactory.load(run)) {
                assertThat(loaded.agent().envSteps()).isEqualTo(1024);
            }
        } finally {
            new ProcessBuilder("umount", disk.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Every file and folder name under {@code dir}, hidden ones included. */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Whether this process ignores a signal (Linux: the {@code SigIgn} mask of /proc/self/status). */
    private static boolean signalIgnored(int number) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (number - 1))) != 0;
            }
        }
        return false;
    }

    private static void signal(Process p, String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    /** Waits (up to 2 minutes) until the child's output holds {@code text}. */
    private static void awaitLine(Process p, Path log, String text) throws Exception {
        await(p, log, () -> Files.exists(log) && Files.readString(log).contains(text), "printing '" + text + "'");
    }

    private static void awaitFile(Process p, Path log, Path file) throws Exception {
        await(p, log, () -> Files.exists(file), "writing " + file);
    }

    private static void await(Process p, Path log, Callable<Boolean> done, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (done.call()) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the child ended (exit " + p.exitValue() + ") before " + what + ": "
                        + Files.readString(log));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child was not done " + what + " in 2 minutes: " + Files.readString(log));
    }
}
