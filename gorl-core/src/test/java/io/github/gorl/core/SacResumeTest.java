package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.sac.Sac;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Latent SAC resumed from a checkpoint continues exactly like the uninterrupted run: networks, targets, Adam states,
 * temperature, counters and the replay buffer slot for slot are restored, and the random streams restart from the
 * checkpoint's seed in both runs.
 */
class SacResumeTest {

    private static final long STEPS = 1600;

    @TempDir
    Path temp;

    /** Thrown by a listener to stop training the way a kill would. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super("interrupted");
        }
    }

    /** A run's outcome: its result and every encoder metrics row (without the wall-clock throughput). */
    private record Run(TrainingResult result, List<Map<String, Double>> rows) {}

    private Run train(Path run, long stopAfter, boolean resume, boolean saveReplayBuffer) throws Exception {
        List<Map<String, Double>> rows = new ArrayList<>();
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 4); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2)) {
            // A buffer smaller than the steps before the checkpoint: the ring has wrapped when it is saved.
            GoRL.Builder b = GoRL.builder().env(env).evalEnv(eval)
                    .optimizer(Sac.latent().actorLayers(16).criticLayers(16).bufferCapacity(300).batchSize(32)
                            .learningStarts(100).updatesPerStep(0.25).logInterval(40)
                            .saveReplayBuffer(saveReplayBuffer).build())
                    .decoder(new IdentityDecoder()).schedule(StageSchedule.single(STEPS, 0)).evalEvery(400)
                    .seed(11).runDirectory(run).checkpointEvery(500)
                    .listener(new TrainingListener() {
                        @Override
                        public void onMetrics(Metrics m) {
                            if (stopAfter > 0 && m.step() > stopAfter) {
                                throw new Interrupted();
                            }
                            if (m.phase() == Phase.ENCODER) {
                                Map<String, Double> row = new TreeMap<>(m.values());
                                row.remove("steps_per_second");
                                row.put("step", (double) m.step());
                                rows.add(row);
                            }
                        }
                    });
            try (GoRL agent = b.build()) {
                if (resume) {
                    agent.load(run.resolve("checkpoint"));
                }
                return new Run(agent.train(), rows);
            }
        }
    }

    private static List<Map<String, Double>> after(List<Map<String, Double>> rows, long step) {
        return rows.stream().filter(r -> r.get("step") > step).toList();
    }

    @Test
    void resume_withTheReplayBuffer_givesIdenticalMetricsAndEvaluations() throws Exception {
        Run whole = train(temp.resolve("whole"), 0, false, true);
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1100, false, true)).isInstanceOf(Interrupted.class);
        long saved = Checkpoints.JSON.readTree(run.resolve("checkpoint/checkpoint.json").toFile())
                .path("envSteps").asLong();
        assertThat(saved).isBetween(500L, 1100L);
        assertThat(run.resolve("checkpoint/optimizer/replay-buffer.tensors")).exists();

        Run resumed = train(run, 0, true, true);

        assertThat(resumed.result().envSteps()).isEqualTo(whole.result().envSteps());
        // Exact, not within a tolerance: on the CPU every operation is deterministic for a given input.
        assertThat(resumed.result().evaluations()).isEqualTo(whole.result().evaluations());
        List<Map<String, Double>> expected = after(whole.rows(), saved);
        assertThat(expected).isNotEmpty().allSatisfy(r -> assertThat(r.get("q_loss")).isFinite());
        assertThat(resumed.rows()).isEqualTo(expected);
    }

    @Test
    void resume_withoutTheReplayBuffer_warmsUpAgainAndDiffers() throws Exception {
        Run whole = train(temp.resolve("whole"), 0, false, false);
        Path run = temp.resolve("cut");
        assertThatThrownBy(() -> train(run, 1100, false, false)).isInstanceOf(Interrupted.class);
        assertThat(run.resolve("checkpoint/optimizer/replay-buffer.tensors")).doesNotExist();
        long saved = Checkpoints.JSON.readTree(run.resolve("checkpoint/checkpoint.json").toFile())
                .path("envSteps").asLong();

        Run resumed = train(run, 0, true, false);

        assertThat(resumed.result().envSteps()).isEqualTo(whole.result().envSteps());
        // The first report after resuming has no update: the empty buffer holds fewer than learningStarts.
        assertThat(resumed.rows().get(0).get("q_loss")).isNaN();
        assertThat(resumed.rows()).isNotEqualTo(after(whole.rows(), saved));
        assertThat(Files.exists(run.resolve("summary.json"))).isTrue();
    }
}
