package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of the library's own files against thousands of random truncations and byte flips (fixed seed): the
 * checkpoint's {@code checkpoint.json}, its tensor files (optimizer, decoder), SAC's replay buffer,
 * {@code train-args.json} and the experiment grid's record of a run ({@code summary.json}).
 *
 * <p>The acceptance rule: a damaged file is refused with an {@link IOException} whose message names the file, or,
 * only for a JSON file, it reads back to exactly the content of the original. The second case exists because JSON's
 * layout is not its content: a flip of one whitespace character into another, or of {@code E} into {@code e} in a
 * number, changes the bytes but not the value; those files carry a checksum of their parsed content
 * ({@link JsonFile}), so a change of layout passes and every change of content is refused. Tensor files carry a CRC
 * of their bytes, which catches every flip of up to 32 adjacent bits and every truncation: for them, no damaged file
 * may be accepted at all. Any other exception or error fails the test.
 */
class OwnFilesFuzzTest {

    private static final String[] TINY = {"--task", "Pendulum", "--decoder", "identity", "--envs", "4",
            "--eval-episodes", "2", "--seed", "2"};

    @TempDir
    Path temp;

    /** What reading a file does: returns its content, or throws. */
    private interface Reader {
        Object read() throws Exception;
    }

    @Test
    void everyReader_refusesEveryDamagedFile_namingIt_orReadsTheSameContent() throws Exception {
        Path ppo = temp.resolve("ppo");
        Path sac = temp.resolve("sac");
        assertThat(GorlCli.run(with(TINY, "train", "--steps", "512", "--out", ppo.toString()))).isZero();
        assertThat(GorlCli.run(with(TINY, "train", "--optimizer", "sac", "--steps", "128", "--out", sac.toString())))
                .isZero();
        Path checkpoint = ppo.resolve("checkpoint");
        Path sacCheckpoint = sac.resolve("checkpoint");
        Path replay = sacCheckpoint.resolve("optimizer/replay-buffer.tensors");
        assertThat(replay).exists();
        ExperimentGrid.Run cell = new ExperimentGrid.Run("Pendulum", "gaussian-ppo", 2, ppo, List.of("train"));

        List<String> failures = new ArrayList<>();
        int cases = 0;
        try (AgentFactory.LoadedRun agent = AgentFactory.load(ppo);
                AgentFactory.LoadedRun sacAgent = AgentFactory.load(sac)) {
            Reader loadPpo = () -> {
                agent.agent().load(checkpoint);
                return null;
            };
            cases += fuzz(checkpoint.resolve("checkpoint.json"), loadPpo, true, 150, 650, failures);
            cases += fuzz(tensorFile(checkpoint.resolve("optimizer")), loadPpo, false, 40, 200, failures);
            cases += fuzz(tensorFile(checkpoint.resolve("decoder")), loadPpo, false, 40, 160, failures);
            cases += fuzz(replay, () -> {
                sacAgent.agent().load(sacCheckpoint);
                return null;
            }, false, 40, 160, failures);
        }
        cases += fuzz(ppo.resolve(TrainArguments.FILE), () -> TrainArguments.read(ppo), true, 100, 400, failures);
        cases += fuzz(cell.summary(), cell::readSummary, true, 100, 400, failures);

        assertThat(cases).isEqualTo(2440);
        assertThat(failures).isEmpty();
    }

    /**
     * Damages {@code file} {@code truncations + flips} times, one damage at a time (restoring it after each), and
     * records every outcome that breaks the acceptance rule.
     *
     * @return the number of cases run
     */
    private static int fuzz(Path file, Reader reader, boolean json, int truncations, int flips,
            List<String> failures) throws Exception {
        byte[] original = Files.readAllBytes(file);
        JsonNode content = json ? JsonFile.read(file) : null;
        reader.read(); // the undamaged file reads
        SplittableRandom random = new SplittableRandom(file.getFileName().toString().hashCode());
        String name = file.getFileName().toString();
        int cases = 0;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < truncations + flips; i++) {
                byte[] damaged;
                String what;
                if (i < truncations) {
                    int length = random.nextInt(original.length);
                    damaged = java.util.Arrays.copyOf(original, length);
                    what = "cut to " + length + " bytes";
                } else {
                    damaged = original.clone();
                    int at = random.nextInt(original.length);
                    int mask = 1 + random.nextInt(255);
                    damaged[at] ^= (byte) mask;
                    what = "byte " + at + " xor " + mask;
                }
                Files.write(file, damaged);
                cases++;
                try {
                    reader.read();
                    if (!json) {
                        failures.add(name + " " + what + ": accepted");
                    } else if (!JsonFile.read(file).equals(content)) {
                        failures.add(name + " " + what + ": accepted with other content");
                    }
                } catch (IOException e) {
                    if (e.getMessage() == null || !e.getMessage().contains(name)) {
                        failures.add(name + " " + what + ": refused without naming the file: " + e);
                    }
                } catch (Exception | Error e) {
                    failures.add(name + " " + what + ": " + e);
                }
            }
        } finally {
            Files.write(file, original);
        }
        System.out.printf(java.util.Locale.ROOT, "%s: %d damaged copies in %.1f s%n", name, cases,
                (System.nanoTime() - start) / 1e9);
        return cases;
    }

    private static Path tensorFile(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
    }

    private static String[] with(String[] base, String... more) {
        String[] all = new String[more.length + base.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(base, 0, all, more.length, base.length);
        return all;
    }
}
