package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gorl.api.Env;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.train.JsonFile;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Periodic checkpoints, resuming from them, and the errors of damaged ones. */
class CheckpointTest {

    private static final long STEPS = 2048;

    @TempDir
    Path temp;

    private static GoRL.Builder tinyPpo(VectorEnv env, VectorEnv eval, Path run) {
        return GoRL.builder().env(env).evalEnv(eval)
                .optimizer(Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(32).minibatches(2).epochs(2)
                        .build())
                .decoder(new IdentityDecoder()).schedule(StageSchedule.single(STEPS, 0)).evalEvery(512)
                .seed(5).runDirectory(run).checkpointEvery(500);
    }

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    private TrainingResult train(Path run, long stopAfter, boolean resume) throws Exception {
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2)) {
            return InterruptibleRun.train(tinyPpo(env, eval, run), run, stopAfter, resume);
        }
    }

    @Test
    void resume_afterAnInterruption_continuesExactlyAsTheUninterruptedRun() throws Exception {
        TrainingResult whole = train(temp.resolve("whole"), 0, false);
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1100, false)).isInstanceOf(InterruptibleRun.Interrupted.class);
        assertThat(Checkpoints.JSON.readTree(run.resolve("checkpoint/checkpoint.json").toFile())
                .path("envSteps").asLong()).isBetween(500L, 1100L);

        TrainingResult resumed = train(run, 0, true);

        assertThat(resumed.envSteps()).isEqualTo(whole.envSteps());
        assertThat(resumed.evaluations()).isEqualTo(whole.evaluations());
        assertThat(resumed.finalEvalReturn()).isEqualTo(whole.finalEvalReturn());
        // metrics.csv continues: one header, and the evaluation rows of the whole curve, once each.
        List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(csv.stream().filter(l -> l.startsWith("step,"))).hasSize(1);
        assertThat(csv.stream().filter(l -> l.contains(",evaluation,"))).hasSize(whole.evaluations().size());
    }

    @Test
    void resume_continuesTheWallClock_soTheResultAndMetricsCountTheWholeRun() throws Exception {
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1100, false)).isInstanceOf(InterruptibleRun.Interrupted.class);
        double before = Checkpoints.JSON.readTree(run.resolve("checkpoint/checkpoint.json").toFile())
                .path("progress").path("wallSeconds").asDouble(Double.NaN);
        assertThat(before).isPositive();

        TrainingResult resumed = train(run, 0, true);

        assertThat(resumed.wallSeconds()).isGreaterThan(before);
        assertWallClockNeverFalls(run.resolve("metrics.csv"));
    }

    @Test
    void resume_ofACheckpointWithoutItsWallTime_continuesFromTheLastKeptMetricsRow() throws Exception {
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1100, false)).isInstanceOf(InterruptibleRun.Interrupted.class);
        // A checkpoint written before the training time was recorded in it.
        Path json = run.resolve("checkpoint/checkpoint.json");
        ObjectNode older = JsonFile.read(json);
        ((ObjectNode) older.get("progress")).remove("wallSeconds");
        JsonFile.write(json, older);

        train(run, 0, true);

        assertWallClockNeverFalls(run.resolve("metrics.csv"));
    }

    /** A resumed run's {@code wall_seconds} continues where the kept rows left off instead of restarting at 0. */
    private static void assertWallClockNeverFalls(Path metricsCsv) throws Exception {
        List<String> rows = Files.readAllLines(metricsCsv);
        double previous = 0;
        for (String row : rows.subList(1, rows.size())) {
            double wall = Double.parseDouble(row.split(",")[3]);
            assertThat(wall).as("wall_seconds of %s", row.substring(0, row.indexOf(',', row.indexOf(',') + 1)))
                    .isGreaterThanOrEqualTo(previous);
            previous = wall;
        }
    }

    @Test
    void load_afterASwapInterruptedBetweenItsRenames_picksTheCompleteCheckpoint() throws Exception {
        Path run = temp.resolve("run");
        TrainingResult result = train(run, 0, false);
        // The state a kill leaves between "rename the old one away" and "rename the new one in".
        Files.move(run.resolve("checkpoint"), run.resolve("checkpoint.tmp-" + result.envSteps()));
        Files.createDirectories(run.resolve("checkpoint.old-1/optimizer"));

        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = tinyPpo(env, eval, temp.resolve("other")).build()) {
            agent.load(run.resolve("checkpoint"));
            assertThat(agent.envSteps()).isEqualTo(result.envSteps());
        }
    }

    @Test
    void load_ofDamagedOrForeignCheckpoints_failsClearlyAndChangesNoFile() throws Exception {
        Path run = temp.resolve("run");
        train(run, 0, false);
        Path checkpoint = run.resolve("checkpoint");
        Path tensors;
        try (Stream<Path> files = Files.list(checkpoint.resolve("optimizer"))) {
            tensors = files.findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(tensors);
        byte[] json = Files.readAllBytes(checkpoint.resolve("checkpoint.json"));

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x10;
        expectLoadFailure(checkpoint, tensors, flipped, json, "checksum");
        expectLoadFailure(checkpoint, tensors, Arrays.copyOf(good, good.length - 7), json, "truncated");

        ObjectMapper mapper = new ObjectMapper();
        ObjectNode otherVersion = (ObjectNode) mapper.readTree(json);
        otherVersion.put("formatVersion", 99);
        expectLoadFailure(checkpoint, tensors, good, mapper.writeValueAsBytes(otherVersion), "format version 99");
        // A genuine checkpoint of another task (its checksum matches its content) is refused naming the task...
        Files.write(checkpoint.resolve("checkpoint.json"), json);
        ObjectNode otherTask = JsonFile.read(checkpoint.resolve("checkpoint.json"));
        ((ObjectNode) otherTask.get("task")).put("id", "Hopper");
        Path foreign = temp.resolve("foreign.json");
        JsonFile.write(foreign, otherTask);
        expectLoadFailure(checkpoint, tensors, good, Files.readAllBytes(foreign), "Hopper");
        // ...and the same edit made by hand is refused by the checksum, before anything trusts the content.
        ObjectNode edited = (ObjectNode) mapper.readTree(json);
        ((ObjectNode) edited.get("task")).put("id", "Hopper");
        expectLoadFailure(checkpoint, tensors, good, mapper.writeValueAsBytes(edited), "was edited");
    }

    private void expectLoadFailure(Path checkpoint, Path tensors, byte[] tensorBytes, byte[] jsonBytes,
            String message) throws Exception {
        Files.write(tensors, tensorBytes);
        Files.write(checkpoint.resolve("checkpoint.json"), jsonBytes);
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = tinyPpo(env, eval, temp.resolve("loader")).build()) {
            assertThatThrownBy(() -> agent.load(checkpoint)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining(message);
        }
        assertThat(Files.readAllBytes(tensors)).isEqualTo(tensorBytes);
        assertThat(Files.readAllBytes(checkpoint.resolve("checkpoint.json"))).isEqualTo(jsonBytes);
    }

    @Test
    void train_withANonFiniteReward_stopsNamingTheStepSubEnvAndLastCheckpoint() throws Exception {
        Path run = temp.resolve("run");
        Supplier<Env> poisoned = () -> new NonFiniteScenarios.Poisoned(n -> n > 300);
        try (VectorEnv env = Envs.sync(i -> i == 2 ? poisoned.get() : new Pendulum(), 4);
                VectorEnv eval = pendulums(2);
                GoRL agent = tinyPpo(env, eval, run).build()) {
            assertThatThrownBy(agent::train).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sub-env 2").hasMessageContaining("env step")
                    .hasMessageContaining(run.resolve("checkpoint").toAbsolutePath().toString());
        }
    }

    @Test
    void build_checkpointEveryWithoutRunDirectory_isRejected() {
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(Ppo.latent().build())
                    .checkpointEvery(100).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runDirectory");
        }
    }
}
