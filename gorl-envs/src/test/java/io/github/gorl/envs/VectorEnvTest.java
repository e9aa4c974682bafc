package io.github.gorl.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Specifies both vector envs; every parameterized test runs on "sync" and "threaded". */
class VectorEnvTest {

    private static VectorEnv create(String kind, IntFunction<Env> factory, int numEnvs) {
        return kind.equals("sync") ? Envs.sync(factory, numEnvs) : Envs.threaded(factory, numEnvs, 3);
    }

    /** Builds scripted sub-envs and keeps them, so tests can look inside. */
    private static final class Scripted implements IntFunction<Env> {
        final List<ScriptedEnv> envs = new ArrayList<>();
        private final java.util.function.ObjIntConsumer<ScriptedEnv> setup;

        Scripted(java.util.function.ObjIntConsumer<ScriptedEnv> setup) {
            this.setup = setup;
        }

        @Override
        public Env apply(int i) {
            ScriptedEnv env = new ScriptedEnv();
            setup.accept(env, i);
            envs.add(env);
            return env;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_episodeEnd_reportsFinalObservationAndTerminatedVsTruncatedThenAutoResets(String kind) {
        // sub-env 0 terminates at step 2; sub-env 1 is truncated at its limit of 3 steps
        Scripted factory = new Scripted((env, i) -> {
            env.maxEpisodeSteps = 3;
            env.terminateAt = i == 0 ? 2 : 0;
        });
        try (VectorEnv vector = create(kind, factory, 2)) {
            float[] obs = new float[2 * 3];
            vector.reset(7, obs);
            VectorStep out = new VectorStep(2, 3);
            float[] actions = {0.25f, -0.5f};

            vector.step(actions, out);
            assertThat(out.terminated()).containsExactly(false, false);
            assertThat(out.truncated()).containsExactly(false, false);
            assertThat(out.rewards()).containsExactly(1f, 1f);

            vector.step(actions, out);
            assertThat(out.terminated()).containsExactly(true, false);
            assertThat(out.truncated()).containsExactly(false, false);
            // final observation: step 2 of the finished episode; observation: the new episode's first
            assertThat(out.finalObservations()[0]).isEqualTo(2f);
            assertThat(out.finalObservations()[1]).isEqualTo(0.25f);
            assertThat(out.observations()[0]).isEqualTo(0f);
            assertThat(out.observations()[3]).isEqualTo(2f);

            vector.step(actions, out);
            assertThat(out.terminated()).containsExactly(false, false);
            assertThat(out.truncated()).containsExactly(false, true);
            assertThat(out.finalObservations()[3]).isEqualTo(3f);
            assertThat(out.finalObservations()[4]).isEqualTo(-0.5f);
            assertThat(out.observations()[3]).isEqualTo(0f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void reset_seedsEachSubEnvAndEachNewEpisodeDifferently_andReproducibly(String kind) {
        Scripted factory = new Scripted((env, i) -> env.maxEpisodeSteps = 1);
        try (VectorEnv vector = create(kind, factory, 3)) {
            vector.reset(11, new float[9]);
            long[] first = factory.envs.stream().mapToLong(e -> e.lastSeed).toArray();
            vector.step(new float[3], new VectorStep(3, 3));
            long[] second = factory.envs.stream().mapToLong(e -> e.lastSeed).toArray();
            vector.reset(11, new float[9]);
            long[] again = factory.envs.stream().mapToLong(e -> e.lastSeed).toArray();

            assertThat(Arrays.stream(first).distinct().count()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                assertThat(second[i]).isNotEqualTo(first[i]);
                assertThat(second[i]).isEqualTo(SubEnvs.subEnvSeed(11, i, 1));
            }
            assertThat(again).containsExactly(first);
        }
    }

    @Test
    void threaded_givesBitIdenticalResultsToSync_forSameSeedAndActions() {
        int numEnvs = 7; // 3 threads: uneven slices
        try (VectorEnv sync = Envs.sync(i -> new Pendulum(), numEnvs);
                VectorEnv threaded = Envs.threaded(i -> new Pendulum(), numEnvs, 3)) {
            float[] obsSync = new float[numEnvs * 3];
            float[] obsThreaded = new float[numEnvs * 3];
            sync.reset(123, obsSync);
            threaded.reset(123, obsThreaded);
            assertThat(obsThreaded).containsExactly(obsSync);

            VectorStep outSync = new VectorStep(numEnvs, 3);
            VectorStep outThreaded = new VectorStep(numEnvs, 3);
            float[] actions = new float[numEnvs];
            SplittableRandom random = new SplittableRandom(5);
            int episodeEnds = 0;
            for (int t = 0; t < 450; t++) { // crosses two auto-resets
                for (int i = 0; i < numEnvs; i++) {
                    actions[i] = (float) random.nextDouble(-3, 3); // some out of bounds: clipped
                }
                sync.step(actions, outSync);
                threaded.step(actions, outThreaded);
                assertThat(outThreaded.observations()).containsExactly(outSync.observations());
                assertThat(outThreaded.rewards()).containsExactly(outSync.rewards());
                assertThat(outThreaded.truncated()).containsExactly(outSync.truncated());
                assertThat(outThreaded.terminated()).containsExactly(outSync.terminated());
                for (int i = 0; i < numEnvs; i++) {
                    if (outSync.truncated()[i]) {
                        episodeEnds++;
                        assertThat(Arrays.copyOfRange(outThreaded.finalObservations(), 3 * i, 3 * i + 3))
                                .containsExactly(Arrays.copyOfRange(outSync.finalObservations(), 3 * i, 3 * i + 3));
                    }
                }
            }
            assertThat(episodeEnds).isEqualTo(2 * numEnvs);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_clipsActionsForTheEnv_butLeavesTheCallersArrayUnclipped(String kind) {
        Scripted factory = new Scripted((env, i) -> env.bound = 0.5f);
        try (VectorEnv vector = create(kind, factory, 3)) {
            vector.reset(0, new float[9]);
            float[] actions = {2f, -7f, 0.25f};
            VectorStep out = new VectorStep(3, 3);

            vector.step(actions, out);

            assertThat(factory.envs.get(0).lastAction).containsExactly(0.5f);
            assertThat(factory.envs.get(1).lastAction).containsExactly(-0.5f);
            assertThat(factory.envs.get(2).lastAction).containsExactly(0.25f);
            assertThat(actions).containsExactly(2f, -7f, 0.25f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_nanAction_throwsNamingSubEnvAndDimension_beforeAnySubEnvMoves(String kind) {
        try (VectorEnv vector = create(kind, i -> BimodalBandit.builder().actionDim(2).build(), 3)) {
            vector.reset(0, new float[3]);
            VectorStep out = new VectorStep(3, 1);
            float[] actions = {0f, 0f, 0f, 0f, 0f, Float.NaN};

            assertThatThrownBy(() -> vector.step(actions, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sub-env 2, dimension 1 is NaN");

            // nothing moved, so the vector env is still usable
            actions[5] = 0.6f;
            vector.step(actions, out);
            assertThat(out.terminated()).containsExactly(true, true, true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_nanObservationFromEnv_throwsNamingSubEnvStepAndValue_thenRequiresReset(String kind) {
        Scripted factory = new Scripted((env, i) -> env.nanObservationAt = i == 2 ? 3 : 0);
        try (VectorEnv vector = create(kind, factory, 4)) {
            float[] obs = new float[12];
            vector.reset(0, obs);
            VectorStep out = new VectorStep(4, 3);
            float[] actions = new float[4];
            vector.step(actions, out);
            vector.step(actions, out);

            assertThatThrownBy(() -> vector.step(actions, out))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sub-env 2")
                    .hasMessageContaining("episode step 3")
                    .hasMessageContaining("observation[1] = NaN");
            assertThatThrownBy(() -> vector.step(actions, out))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reset");

            vector.reset(0, obs);
            vector.step(actions, out);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_nonFiniteRewardFromEnv_throwsNamingSubEnvAndValue(String kind) {
        Scripted nan = new Scripted((env, i) -> env.nanRewardAt = i == 1 ? 1 : 0);
        Scripted infinite = new Scripted((env, i) -> env.infiniteRewardAt = i == 0 ? 1 : 0);
        try (VectorEnv a = create(kind, nan, 2); VectorEnv b = create(kind, infinite, 2)) {
            a.reset(0, new float[6]);
            b.reset(0, new float[6]);

            assertThatThrownBy(() -> a.step(new float[2], new VectorStep(2, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sub-env 1").hasMessageContaining("reward NaN");
            assertThatThrownBy(() -> b.step(new float[2], new VectorStep(2, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sub-env 0").hasMessageContaining("reward Infinity");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_envThrows_propagatesToCallerWithSubEnvIndexAndCause(String kind) {
        Scripted factory = new Scripted((env, i) -> env.throwAt = i == 4 ? 2 : 0);
        try (VectorEnv vector = create(kind, factory, 6)) {
            vector.reset(0, new float[18]);
            VectorStep out = new VectorStep(6, 3);
            vector.step(new float[6], out);

            assertThatThrownBy(() -> vector.step(new float[6], out))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sub-env 4")
                    .hasRootCauseInstanceOf(UnsupportedOperationException.class)
                    .hasRootCauseMessage("scripted failure at step 2");
        }
    }

    @Test
    void threaded_subEnvThrowingInAWorker_namesSubEnvAndStep_noWorkerHangs_andCloseReturns() throws Exception {
        // Sub-env 5 sits in a worker's slice (3 threads over 6 envs: the caller steps 0 and 1); it throws an Error,
        // not only an exception, at its third step.
        Scripted factory = new Scripted((env, i) -> {
            if (i == 5) {
                env.throwAt = 3;
                env.throwError = true;
            }
        });
        VectorEnv vector = Envs.threaded(factory, 6, 3);
        Thread[] workers = ((ThreadedVectorEnv) vector).workerThreads();
        vector.reset(0, new float[18]);
        VectorStep out = new VectorStep(6, 3);
        vector.step(new float[6], out);
        vector.step(new float[6], out);

        assertThatThrownBy(() -> vector.step(new float[6], out))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sub-env 5").hasMessageContaining("vector step 3")
                .hasRootCauseInstanceOf(AssertionError.class);
        // The workers are alive and answer the next dispatch: a reset and steps work again.
        assertThat(workers).allSatisfy(thread -> assertThat(thread.isAlive()).isTrue());
        vector.reset(1, new float[18]);
        vector.step(new float[6], out);

        Thread closer = new Thread(vector::close);
        closer.start();
        closer.join(60_000);
        assertThat(closer.isAlive()).as("close() returned").isFalse();
        assertThat(workers).allSatisfy(thread -> assertThat(thread.isAlive()).isFalse());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_envNeverTruncating_isTruncatedAtMaxEpisodeSteps(String kind) {
        Scripted factory = new Scripted((env, i) -> {
            env.truncates = false;
            env.maxEpisodeSteps = 2;
        });
        try (VectorEnv vector = create(kind, factory, 2)) {
            vector.reset(0, new float[6]);
            VectorStep out = new VectorStep(2, 3);
            vector.step(new float[2], out);
            vector.step(new float[2], out);

            assertThat(out.truncated()).containsExactly(true, true);
            assertThat(out.terminated()).containsExactly(false, false);
            assertThat(factory.envs.get(0).steps).isZero(); // reset
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void close_twice_isHarmless_andClosesEverySubEnvOnce(String kind) {
        Scripted factory = new Scripted((env, i) -> { });
        VectorEnv vector = create(kind, factory, 4);
        vector.reset(0, new float[12]);

        vector.close();
        vector.close();

        assertThat(factory.envs).allSatisfy(env -> assertThat(env.closeCount).isEqualTo(1));
        assertThatThrownBy(() -> vector.step(new float[4], new VectorStep(4, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_beforeReset_throws(String kind) {
        try (VectorEnv vector = create(kind, i -> new Pendulum(), 2)) {
            assertThatThrownBy(() -> vector.step(new float[2], new VectorStep(2, 3)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("reset");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threaded"})
    void step_wrongBufferSizes_throwIllegalArgument(String kind) {
        try (VectorEnv vector = create(kind, i -> new Pendulum(), 2)) {
            assertThatThrownBy(() -> vector.reset(0, new float[5]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observations");
            vector.reset(0, new float[6]);
            assertThatThrownBy(() -> vector.step(new float[3], new VectorStep(2, 3)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actions");
            assertThatThrownBy(() -> vector.step(new float[2], new VectorStep(3, 3)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VectorStep(2, 3)");
        }
    }

    @Test
    void threaded_usesAFixedPoolOfNamedDaemonWorkers_stoppedByClose() throws Exception {
        VectorEnv vector = Envs.threaded(i -> new Pendulum(), 8, 4);
        Thread[] workers = ((ThreadedVectorEnv) vector).workerThreads();
        vector.reset(1, new float[24]);
        VectorStep out = new VectorStep(8, 3);
        for (int t = 0; t < 50; t++) {
            vector.step(new float[8], out);
        }

        assertThat(workers).hasSize(3); // the caller's thread steps the fourth slice
        assertThat(((ThreadedVectorEnv) vector).workerThreads()).containsExactly(workers);
        assertThat(workers).allSatisfy(thread -> {
            assertThat(thread.getName()).startsWith("gorl-env-");
            assertThat(thread.isDaemon()).isTrue();
            assertThat(thread.isAlive()).isTrue();
        });

        vector.close();
        assertThat(workers).allSatisfy(thread -> assertThat(thread.isAlive()).isFalse());
    }

    @Test
    void threaded_moreThreadsThanEnvs_usesOneSlicePerEnv() {
        try (VectorEnv vector = Envs.threaded(i -> new Pendulum(), 2, 16)) {
            assertThat(((ThreadedVectorEnv) vector).workerThreads()).hasSize(1);
        }
    }

    @Test
    void factory_invalidSubEnvs_areRejected_andCreatedOnesClosed() {
        Scripted scripted = new Scripted((env, i) -> { });
        IntFunction<Env> mismatched = i -> i < 2 ? scripted.apply(i) : new Pendulum();
        Pendulum shared = new Pendulum();

        assertThatThrownBy(() -> Envs.sync(mismatched, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sub-env 2");
        assertThat(scripted.envs).allSatisfy(env -> assertThat(env.closeCount).isEqualTo(1));
        assertThatThrownBy(() -> Envs.sync(i -> null, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> Envs.sync(i -> shared, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same Env instance");
        assertThatThrownBy(() -> Envs.sync(i -> new Pendulum(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numEnvs");
        assertThatThrownBy(() -> Envs.threaded(i -> new Pendulum(), 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
    }

    @Test
    void spec_isTheSubEnvsSpec() {
        try (VectorEnv vector = Envs.threaded(i -> new Pendulum(), 3)) {
            assertThat(vector.spec()).isEqualTo(new Pendulum().spec());
            assertThat(vector.numEnvs()).isEqualTo(3);
            EnvSpec latent = vector.spec().latent(1);
            assertThat(latent.boundedActions()).isFalse();
        }
    }
}
