package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl train --checkpoint-every} killed with SIGKILL and continued with {@code --resume}. */
class TrainResumeTest {

    private static final String[] TRAIN = {"train", "--task", "Pendulum", "--decoder", "identity", "--steps", "4096",
            "--envs", "4", "--eval-episodes", "2", "--eval-every", "1024", "--checkpoint-every", "1024",
            "--seed", "3"};
    private static final String[] TRAIN_SAC = {"train", "--task", "Pendulum", "--optimizer", "sac", "--decoder",
            "identity", "--steps", "1536", "--envs", "4", "--eval-episodes", "2", "--eval-every", "512",
            "--checkpoint-every", "512", "--seed", "3"};

    @TempDir
    Path temp;

    @Test
    void resume_afterKill9_endsWhereTheUninterruptedRunEnds() throws Exception {
        Path run = killAndResume(TRAIN, "ppo", 4096);

        // A damaged checkpoint: one error line, exit code 1, no stack trace, and nothing overwritten.
        Path tensors;
        try (Stream<Path> files = Files.list(run.resolve("checkpoint/optimizer"))) {
            tensors = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(tensors);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(tensors, bytes);
        String err = Console.errorOf("train", "--resume", run.toString());
        assertThat(err).startsWith("gorl: error: ").contains("checksum").doesNotContain("\tat ");
        assertThat(Files.readAllBytes(tensors)).isEqualTo(bytes);

        String notARun = Console.errorOf("train", "--resume", temp.resolve("nothing").toString());
        assertThat(notARun).startsWith("gorl: error: ").contains("train-args.json is missing");
    }

    @Test
    void resume_ofSac_afterKill9_endsWhereTheUninterruptedRunEnds() throws Exception {
        // SAC's checkpoints hold its replay buffer: the resumed run reaches learningStarts (1,000) at the same step
        // and samples exactly what the whole run sampled. Short: the in-process SacResumeTest covers the updates.
        Path run = killAndResume(TRAIN_SAC, "sac", 1536);
        assertThat(run.resolve("checkpoint/optimizer/replay-buffer.tensors")).exists();
    }

    /**
     * Runs {@code train} whole, then again killed with SIGKILL once its first checkpoint exists and resumed with
     * {@code --resume}, and checks that both end alike, to the last bit of every evaluation.
     *
     * @return the killed-and-resumed run directory
     */
    private Path killAndResume(String[] train, String name, long budget) throws Exception {
        Path whole = temp.resolve(name + "-whole");
        assertThat(GorlCli.run(CliProcess.with(train, "--out", whole.toString()))).isZero();

        Path run = temp.resolve(name + "-killed");
        Process p = CliProcess.start(run.resolveSibling("killed.log"), CliProcess.with(train, "--out", run.toString()));
        Path description = run.resolve("checkpoint/checkpoint.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(description) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        assertThat(Files.exists(run.resolve("summary.json"))).as("killed before the end").isFalse();
        assertThat(json(description).path("envSteps").asLong()).isLessThan(budget);

        Process resumed = CliProcess.start(run.resolveSibling("resumed.log"), "train", "--resume", run.toString());
        assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(resumed.exitValue()).as(Files.readString(run.resolveSibling("resumed.log"))).isZero();

        JsonNode expected = json(whole.resolve("summary.json"));
        JsonNode actual = json(run.resolve("summary.json"));
        assertThat(actual.path("env_steps").asLong()).isEqualTo(expected.path("env_steps").asLong());
        // Exact on the CPU (docs/checkpoints.md): the same evaluations, to the last bit.
        assertThat(actual.path("final_eval_return").asDouble())
                .isEqualTo(expected.path("final_eval_return").asDouble());
        assertThat(actual.path("evaluations").asInt()).isEqualTo(expected.path("evaluations").asInt());
        assertThat(evaluationRows(run)).isEqualTo(evaluationRows(whole));
        return run;
    }

    private static List<String> evaluationRows(Path run) throws Exception {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.csv"))) {
            String[] c = line.split(",", -1);
            if (c.length > 5 && c[2].equals("evaluation")) {
                rows.add(c[0] + "," + c[1] + "," + c[4] + "," + c[5]);
            }
        }
        return rows;
    }

    private static JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }
}
