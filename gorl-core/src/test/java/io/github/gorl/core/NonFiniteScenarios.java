package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Training runs with a NaN from sub-env 1 of 2, shared by {@link NonFiniteTest} and the baselines' tests (through
 * gorl-core's test jar): every PPO-engine optimizer must stop and skip alike. The poisoned env's {@code n}-th step is
 * vector step {@code n} and, counting transitions from 1 in sub-env order, global env step {@code 2 (n - 1) + 2 = 2n}.
 */
public final class NonFiniteScenarios {

    /** The encoder steps of a scenario run. */
    public static final long STEPS = 2048;

    private NonFiniteScenarios() {}

    /**
     * Trains one stage of {@link #STEPS} steps on pendulums whose sub-env 1 returns a NaN reward where the predicates
     * say, with a run directory in {@code run}.
     *
     * @param run the run directory
     * @param optimizer the optimizer
     * @param trainNan which step calls of the training sub-env 1 return NaN (counted from 1)
     * @param evalNan which step calls of the evaluation sub-env 1 return NaN
     * @param checkpointEvery the checkpoint interval
     * @param policy the non-finite policy
     * @param metrics receives every metrics event
     * @return the result
     */
    public static TrainingResult train(Path run, LatentPolicyOptimizer optimizer, LongPredicate trainNan,
            LongPredicate evalNan, long checkpointEvery, NonFinitePolicy policy, List<Metrics> metrics) {
        try (VectorEnv env = Envs.sync(i -> i == 1 ? new Poisoned(trainNan) : new Pendulum(), 2);
                VectorEnv eval = Envs.sync(i -> i == 1 ? new Poisoned(evalNan) : new Pendulum(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer)
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.single(STEPS, 0)).evalEvery(512)
                        .seed(3).runDirectory(run).checkpointEvery(checkpointEvery)
                        .onNonFinite(policy)
                        .listener(new TrainingListener() {
                            @Override
                            public void onMetrics(Metrics m) {
                                metrics.add(m);
                            }
                        }).build()) {
            return agent.train();
        }
    }

    /**
     * The checkpoint folder of a scenario run, as error messages name it.
     *
     * @param run the run directory
     * @return its absolute {@code checkpoint} path
     */
    public static String checkpoint(Path run) {
        return run.resolve("checkpoint").toAbsolutePath().toString();
    }

    /**
     * {@code optimizer} learns in batches of 64 steps; sub-env 1 returns NaN rewards from its 701st step on: training
     * stops with the global step, the sub-env and the last checkpoint named.
     *
     * @param run the run directory
     * @param optimizer the optimizer
     */
    public static void stopsNamingTheGlobalStepSubEnvAndLastCheckpoint(Path run, LatentPolicyOptimizer optimizer) {
        // Checkpoints at 512 and 1024, the NaN from step 701 of sub-env 1 on.
        assertThatThrownBy(() -> train(run, optimizer, n -> n > 700, n -> false, 500, NonFinitePolicy.STOP,
                new ArrayList<>()))
                .isInstanceOfSatisfying(NonFiniteException.class, e -> {
                    assertThat(e.envStep()).isEqualTo(1402);
                    assertThat(e.subEnv()).isEqualTo(1);
                })
                .hasMessageContaining("training stopped at env step 1402 (sub-env 1)")
                .hasMessageContaining("non-finite reward NaN")
                .hasMessageContaining("last good checkpoint: " + checkpoint(run));
    }

    /**
     * {@code optimizer} learns in batches of 64 steps; sub-env 1 returns a NaN reward at its 700th step only: with
     * {@code SKIP_BATCH} the batch is dropped, counted, and training reaches the end.
     *
     * @param run the run directory
     * @param optimizer the optimizer
     * @throws IOException if {@code metrics.csv} cannot be read
     */
    public static void dropsTheBatchAndTrainsToTheEnd(Path run, LatentPolicyOptimizer optimizer) throws IOException {
        List<Metrics> metrics = new ArrayList<>();
        TrainingResult result = train(run, optimizer, n -> n == 700, n -> false, 500, NonFinitePolicy.SKIP_BATCH,
                metrics);

        assertThat(result.envSteps()).isGreaterThanOrEqualTo(STEPS);
        assertThat(result.finalEvalReturn()).isFinite();
        List<Metrics> skipped = metrics.stream()
                .filter(m -> m.values().getOrDefault("skipped_batches", 0.0) > 0).toList();
        assertThat(skipped).hasSize(1);
        // The dropped rollout was collected up to the NaN's vector step (700 steps into its 32-step unroll).
        assertThat(skipped.get(0).step()).isEqualTo(1400);
        assertThat(skipped.get(0).values()).doesNotContainKey("policy_loss");
        assertThat(Files.readString(run.resolve("metrics.csv"))).contains("skipped_batches");
    }

    /** A pendulum whose reward is NaN on the step calls (counted from 1, over all episodes) that {@code nan} picks. */
    static final class Poisoned implements Env {
        private final Env inner = new Pendulum();
        private final LongPredicate nan;
        private long steps;

        Poisoned(LongPredicate nan) {
            this.nan = nan;
        }

        @Override
        public EnvSpec spec() {
            return inner.spec();
        }

        @Override
        public void reset(long seed, float[] observation) {
            inner.reset(seed, observation);
        }

        @Override
        public StepResult step(float[] action, float[] observation) {
            StepResult r = inner.step(action, observation);
            return nan.test(++steps) ? new StepResult(Double.NaN, r.terminated(), r.truncated()) : r;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
