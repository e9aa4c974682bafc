package io.github.gorl.core.optim.sac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code criticWarmupUpdates}: after every {@code resetToPrior()} that follows training (every stage but the first)
 * the first updates train the critics and their targets only, leaving the actor and the temperature where the
 * stage started them.
 */
class SacCriticWarmupTest {

    private static final EnvSpec PENDULUM_LATENT = new Pendulum().spec().latent(1);

    @TempDir
    Path temp;

    /** Tiny networks; no update happens inside {@code learn} before 200 transitions, the tests call update. */
    private static Sac.Builder small(int warmup) {
        return Sac.latent().actorLayers(16, 16).criticLayers(16, 16).bufferCapacity(256).batchSize(16)
                .learningStarts(200).criticWarmupUpdates(warmup);
    }

    private static LatentSac initialized(Sac.Builder builder, long seed) {
        LatentSac sac = (LatentSac) builder.build();
        sac.initialize(PENDULUM_LATENT, Device.cpu(), seed);
        sac.resetToPrior();
        return sac;
    }

    /** Trains one update in the first stage and starts the next one: the warm-up is armed. */
    private static void nextStage(LatentSac sac, VectorEnv env) {
        sac.learn(env, 64, null);
        sac.update(0);
        sac.resetToPrior();
        sac.learn(env, 64, null);
    }

    @Test
    void firstStage_isNotWarmedUp() {
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2); LatentSac sac = initialized(small(3), 5)) {
            sac.learn(env, 64, null);
            List<float[]> actor = values(sac.actor().mlp());
            assertThat(sac.update(0)[1]).as("actor_loss").isFinite();
            assertThat(changed(values(sac.actor().mlp()), actor)).as("the actor moved").isTrue();
        }
    }

    @Test
    void warmup_updatesOnlyTheCriticsThenTheActorAndTemperatureToo() {
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2); LatentSac sac = initialized(small(3), 5)) {
            nextStage(sac, env);
            assertThat(sac.stageUpdates()).isZero();
            List<float[]> actor = values(sac.actor().mlp());
            for (int u = 0; u < 3; u++) {
                List<float[]> critic = values(sac.q1());
                List<float[]> target = values(sac.q2Target());
                float[] stats = sac.update(0);
                assertThat(stats[0]).as("q_loss").isFinite();
                assertThat(stats[1]).as("actor_loss during the warm-up").isNaN();
                assertThat(values(sac.q1()).get(0)).as("the critic moved").isNotEqualTo(critic.get(0));
                assertThat(values(sac.q2Target()).get(0)).as("the target moved").isNotEqualTo(target.get(0));
                assertSame(values(sac.actor().mlp()), actor);
                assertThat(sac.alpha()).as("temperature").isEqualTo(1.0);
            }
            assertThat(sac.stageUpdates()).isEqualTo(3);
            float[] stats = sac.update(0);
            assertThat(stats[1]).as("actor_loss after the warm-up").isFinite();
            assertThat(changed(values(sac.actor().mlp()), actor)).as("the actor moved").isTrue();
            assertThat(sac.alpha()).isNotEqualTo(1.0);

            // The next stage warms up again.
            sac.resetToPrior();
            sac.learn(env, 64, null);
            List<float[]> prior = values(sac.actor().mlp());
            sac.update(0);
            assertSame(values(sac.actor().mlp()), prior);
        }
    }

    @Test
    void warmup_reportsNoActorStatisticsWhileOnlyCriticsLearn() {
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2);
                LatentSac sac = initialized(small(1_000).learningStarts(32).logInterval(32), 7)) {
            sac.learn(env, 64, null);
            sac.resetToPrior();
            List<Metrics> metrics = new ArrayList<>();
            sac.learn(env, 96, new TrainingListener() {
                @Override
                public void onMetrics(Metrics m) {
                    metrics.add(m);
                }
            });
            Metrics last = metrics.get(metrics.size() - 1);
            assertThat(sac.updates()).isPositive();
            assertThat(last.get("q_loss")).isFinite();
            assertThat(last.get("actor_loss")).isNaN();
            assertThat(last.get("alpha")).isEqualTo(1.0);
        }
    }

    @Test
    void saveLoad_continuesTheWarmupWhereItStopped() throws Exception {
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2);
                LatentSac sac = initialized(small(4), 17);
                LatentSac copy = initialized(small(4), 99)) {
            nextStage(sac, env);
            sac.update(0);
            sac.update(0);
            sac.save(temp);
            copy.load(temp);
            assertThat(copy.stageUpdates()).isEqualTo(2);
            List<float[]> actor = values(copy.actor().mlp());
            copy.update(0);
            copy.update(0);
            assertSame(values(copy.actor().mlp()), actor);
            copy.update(0);
            assertThat(changed(values(copy.actor().mlp()), actor)).as("the actor moved").isTrue();
        }
    }

    @Test
    void builder_rejectsANegativeWarmupAndRecordsIt() {
        assertThatThrownBy(() -> Sac.latent().criticWarmupUpdates(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criticWarmupUpdates").hasMessageContaining("-1");
        assertThat(Sac.latent().criticWarmupUpdates(500).build().config()).containsEntry("criticWarmupUpdates", 500);
    }

    private static void assertSame(List<float[]> actual, List<float[]> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int p = 0; p < expected.size(); p++) {
            assertThat(actual.get(p)).as("actor parameter %d", p).containsExactly(expected.get(p));
        }
    }

    /** Whether any parameter differs (right after a reset only the zeroed output layer gets a gradient). */
    private static boolean changed(List<float[]> actual, List<float[]> expected) {
        for (int p = 0; p < expected.size(); p++) {
            if (!Arrays.equals(actual.get(p), expected.get(p))) {
                return true;
            }
        }
        return false;
    }

    private static List<float[]> values(Mlp mlp) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : mlp.parameters()) {
            out.add(p.toFloatArray());
        }
        return out;
    }
}
