package io.github.gorl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gorl.examples.GorlCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The 2 x 2 Pendulum grid the engine tests share (gorl-fm and gaussian-ppo, seeds 1 and 2, 1,024 env steps, a
 * checkpoint every 256), run through the real command line in this JVM, and the local engine's results for it: the
 * reference every Spark run must reproduce exactly.
 */
final class Grids {

    /** The grid's options; {@code --engine}, {@code --master}, {@code --out} come from each test. */
    static final List<String> GRID = List.of("--tasks", "Pendulum", "--algos", "gorl-fm,gaussian-ppo", "--seeds", "1,2",
            "--steps", "1024", "--envs", "4", "--parallel", "2");

    /** Options of every {@code gorl train}: small refits, few evaluation episodes, frequent checkpoints. */
    static final List<String> TRAIN = List.of("--", "--decoder-epochs", "2", "--decoder-data", "1000",
            "--eval-episodes", "2", "--stages", "2", "--decoder-min-updates", "500", "--checkpoint-every", "256");

    /** The cells, as their folders under {@code runs/} are named. */
    static final List<String> CELLS = List.of("Pendulum/gorl-fm/seed-1", "Pendulum/gorl-fm/seed-2",
            "Pendulum/gaussian-ppo/seed-1", "Pendulum/gaussian-ppo/seed-2");

    private static Path reference;

    private Grids() {}

    /** What {@code gorl experiments} returned and printed. */
    record Invocation(int exitCode, String printed) {}

    /**
     * Runs {@code gorl experiments} in this JVM.
     *
     * @param out the experiment folder
     * @param engineArgs {@code --engine ...} and what goes with it
     * @param grid the grid's options, {@link #GRID} or others
     */
    static Invocation experiments(Path out, List<String> engineArgs, List<String> grid) {
        List<String> args = new ArrayList<>(List.of("experiments", "--out", out.toString()));
        args.addAll(engineArgs);
        args.addAll(grid);
        args.addAll(TRAIN);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(new Tee(oldOut, captured), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(oldErr, captured), true, StandardCharsets.UTF_8));
        try {
            int exit = GorlCli.run(args.toArray(String[]::new));
            return new Invocation(exit, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The grid run by the local engine (once per JVM): the uninterrupted result of every cell. */
    static synchronized Path reference() throws IOException {
        if (reference == null) {
            Path out = Files.createTempDirectory("gorl-spark-reference");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(out)));
            Invocation local = experiments(out, List.of("--engine", "local"), GRID);
            assertThat(local.exitCode()).as(local.printed()).isZero();
            reference = out;
        }
        return reference;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind; nothing a test could do about it at exit
        }
    }

    /**
     * A cell's {@code summary.json} without what legitimately differs between two runs of it: its wall time and the
     * checksum that covers it.
     */
    static Map<String, String> summary(Path out, String cell) throws IOException {
        JsonNode json = new ObjectMapper().readTree(out.resolve("runs").resolve(cell).resolve("summary.json").toFile());
        Map<String, String> fields = new TreeMap<>();
        json.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().toString()));
        fields.remove("wall_seconds");
        fields.remove("crc32");
        return fields;
    }

    /** Asserts that a cell finished with exactly the reference's summary and metrics, row by row. */
    static void assertSameAsReference(Path out, String cell) throws IOException {
        Path ref = reference();
        assertThat(summary(out, cell)).as(cell).isEqualTo(summary(ref, cell)).containsKey("final_eval_return");
        List<String> metrics = metrics(out, cell);
        assertThat(metrics).as(cell).isEqualTo(metrics(ref, cell)).anyMatch(l -> l.contains(",evaluation,"));
    }

    /** The cell's {@code metrics.csv} without its timing columns ({@code wall_seconds}, {@code steps_per_second}). */
    static List<String> metrics(Path out, String cell) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("runs").resolve(cell).resolve("metrics.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        Set<Integer> timing = Set.of(header.indexOf("wall_seconds"), header.indexOf("steps_per_second"));
        assertThat(timing).doesNotContain(-1);
        return lines.stream().map(l -> {
            String[] cells = l.split(",", -1);
            return IntStream.range(0, cells.length).filter(i -> !timing.contains(i)).mapToObj(i -> cells[i])
                    .collect(Collectors.joining(","));
        }).toList();
    }

    /** The {@code summary.md} table rows (the command line above them differs between engines). */
    static List<String> tableRows(Path out) throws IOException {
        return Files.readAllLines(out.resolve("summary.md")).stream().filter(l -> l.startsWith("| Pendulum")).toList();
    }

    /** Writes to two streams: the test's output stays visible in the surefire report. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
