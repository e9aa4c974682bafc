package io.github.gorl.envs.dmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.envs.EnvCheckReport;
import io.github.gorl.envs.Envs;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DmControlTest {

    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of("CheetahRun", 17, 6),
                Arguments.of("FingerSpin", 9, 2),
                Arguments.of("FingerTurnHard", 12, 2),
                Arguments.of("FishSwim", 24, 5),
                Arguments.of("HopperStand", 15, 4),
                Arguments.of("WalkerWalk", 24, 6),
                Arguments.of("HumanoidStand", 67, 21),
                Arguments.of("HumanoidWalk", 67, 21),
                Arguments.of("HumanoidRun", 67, 21));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void spec_matchesDmControlSizes(String task, int observationDim, int actionDim) {
        try (Env env = DmControl.make(task)) {
            EnvSpec spec = env.spec();
            assertThat(spec.id()).isEqualTo(task);
            assertThat(spec.observationDim()).isEqualTo(observationDim);
            assertThat(spec.actionDim()).isEqualTo(actionDim);
            assertThat(spec.maxEpisodeSteps()).isEqualTo(1000);
            for (int i = 0; i < actionDim; i++) {
                assertThat(spec.actionLow()[i]).isEqualTo(-1f);
                assertThat(spec.actionHigh()[i]).isEqualTo(1f);
            }
        }
    }

    @Test
    void tasks_listsThePapersSixThenTheHumanoid_andNamesAreCaseInsensitive() {
        assertThat(DmControl.TASKS).containsExactly("CheetahRun", "FingerSpin", "FingerTurnHard", "FishSwim",
                "HopperStand", "WalkerWalk", "HumanoidStand", "HumanoidWalk", "HumanoidRun");
        try (Env env = DmControl.make("cheetahrun")) {
            assertThat(env.spec().id()).isEqualTo("CheetahRun");
        }
        try (Env env = DmControl.make(" WALKERWALK ")) {
            assertThat(env.spec().id()).isEqualTo("WalkerWalk");
        }
    }

    @Test
    void make_unknownName_listsTheKnownTasks() {
        assertThatThrownBy(() -> DmControl.make("CartpoleSwingup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CartpoleSwingup")
                .hasMessageContaining("CheetahRun, FingerSpin, FingerTurnHard, FishSwim, HopperStand, WalkerWalk, "
                        + "HumanoidStand, HumanoidWalk, HumanoidRun");
        assertThatThrownBy(() -> DmControl.vector("nope", 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"CheetahRun", "FingerSpin", "FingerTurnHard", "FishSwim", "HopperStand", "WalkerWalk",
        "HumanoidStand", "HumanoidWalk", "HumanoidRun"})
    void envChecker_passes(String task) {
        try (Env env = DmControl.make(task)) {
            EnvCheckReport report = Envs.check(env);
            assertThat(report.problems()).as(report.toString()).isEmpty();
            assertThat(report.isOk()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CheetahRun", "FingerSpin", "FingerTurnHard", "FishSwim", "HopperStand", "WalkerWalk",
        "HumanoidStand", "HumanoidWalk", "HumanoidRun"})
    void episode_rewardsInUnitInterval_finiteObservations_truncatedAtExactly1000(String task) {
        try (Env env = DmControl.make(task)) {
            EnvSpec spec = env.spec();
            float[] obs = new float[spec.observationDim()];
            float[] action = new float[spec.actionDim()];
            SplittableRandom random = new SplittableRandom(7);
            env.reset(3, obs);
            assertFinite(obs);
            for (int t = 1; t <= 1000; t++) {
                for (int i = 0; i < action.length; i++) {
                    action[i] = (float) (2 * random.nextDouble() - 1);
                }
                StepResult r = env.step(action, obs);
                assertThat(r.reward()).as("reward at step %d", t).isBetween(0.0, 1.0);
                assertFinite(obs);
                assertThat(r.terminated()).as("terminated at step %d", t).isFalse();
                assertThat(r.truncated()).as("truncated at step %d", t).isEqualTo(t == 1000);
            }
            assertThatThrownBy(() -> env.step(action, obs))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reset");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CheetahRun", "FingerSpin", "FingerTurnHard", "FishSwim", "HopperStand", "WalkerWalk",
        "HumanoidStand", "HumanoidWalk", "HumanoidRun"})
    void sameSeed_sameTrajectory_differentSeed_differentStart(String task) {
        try (Env a = DmControl.make(task); Env b = DmControl.make(task)) {
            float[] first = rollout(a, 11, 50);
            float[] again = rollout(b, 11, 50);
            assertThat(again).containsExactly(first);
            float[] other = rollout(a, 12, 50);
            assertThat(Arrays.equals(first, other)).isFalse();
        }
    }

    @Test
    void step_beforeReset_andBadArguments_throwClearly() {
        try (Env env = DmControl.make("HopperStand")) {
            float[] obs = new float[15];
            assertThatThrownBy(() -> env.step(new float[4], obs))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reset");
            assertThatThrownBy(() -> env.reset(0, new float[3]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("15");
            env.reset(0, obs);
            assertThatThrownBy(() -> env.step(new float[3], obs))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("length 4");
            assertThatThrownBy(() -> env.step(new float[] {0, Float.NaN, 0, 0}, obs))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("action[1]");
            assertThatThrownBy(() -> env.step(new float[] {0, 0, 1.5f, 0}, obs))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("action[2]")
                    .hasMessageContaining("1.5");
        }
    }

    @Test
    void close_twiceIsHarmless_andUseAfterCloseThrows() {
        Env env = DmControl.make("FingerSpin");
        env.close();
        env.close();
        assertThatThrownBy(() -> env.reset(0, new float[9])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void vector_stepsAndAutoResets() {
        try (VectorEnv vec = DmControl.vector("FingerSpin", 3, 2)) {
            assertThat(vec.numEnvs()).isEqualTo(3);
            float[] obs = new float[3 * 9];
            vec.reset(5, obs);
            assertFinite(obs);
            VectorStep out = new VectorStep(3, 9);
            float[] actions = new float[3 * 2];
            Arrays.fill(actions, 0.5f);
            int truncations = 0;
            for (int t = 0; t < 1000; t++) {
                vec.step(actions, out);
                for (int i = 0; i < 3; i++) {
                    truncations += out.truncated()[i] ? 1 : 0;
                    assertThat(out.rewards()[i]).isBetween(0f, 1f);
                }
            }
            assertThat(truncations).isEqualTo(3);
            assertFinite(out.observations());
        }
    }

    static float[] rollout(Env env, long seed, int steps) {
        EnvSpec spec = env.spec();
        int n = spec.observationDim();
        float[] trace = new float[(steps + 1) * (n + 1)];
        float[] obs = new float[n];
        float[] action = new float[spec.actionDim()];
        env.reset(seed, obs);
        System.arraycopy(obs, 0, trace, 0, n);
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < action.length; i++) {
                action[i] = (float) Math.sin(0.3 * t + i);
            }
            StepResult r = env.step(action, obs);
            System.arraycopy(obs, 0, trace, t * (n + 1), n);
            trace[t * (n + 1) + n] = (float) r.reward();
        }
        return trace;
    }

    static void assertFinite(float[] values) {
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.isFinite(values[i])).as("value %d = %s", i, values[i]).isTrue();
        }
    }
}
