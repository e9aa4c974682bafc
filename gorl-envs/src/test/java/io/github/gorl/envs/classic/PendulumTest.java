package io.github.gorl.envs.classic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PendulumTest {

    private final Pendulum pendulum = new Pendulum();
    private final float[] obs = new float[3];

    @Test
    void spec_matchesGymnasiumPendulumV1() {
        EnvSpec spec = pendulum.spec();

        assertThat(spec.id()).isEqualTo("Pendulum");
        assertThat(spec.observationDim()).isEqualTo(3);
        assertThat(spec.actionDim()).isEqualTo(1);
        assertThat(spec.actionLow()).containsExactly(-2f);
        assertThat(spec.actionHigh()).containsExactly(2f);
        assertThat(spec.maxEpisodeSteps()).isEqualTo(200);
    }

    @Test
    void step_fromKnownState_matchesHandComputedDynamicsAndReward() {
        pendulum.setState(1.0, 0.5);

        StepResult result = pendulum.step(new float[] {1.5f}, obs);

        // thetaDot' = 0.5 + (15 sin 1 + 3 * 1.5) * 0.05; theta' = 1 + thetaDot' * 0.05
        // reward = -(1^2 + 0.1 * 0.5^2 + 0.001 * 1.5^2), on the state before the step
        assertThat(result.reward()).isCloseTo(-1.02725, within(1e-12));
        assertThat(obs[2]).isCloseTo(1.3561032386059226f, within(1e-6f));
        assertThat(obs[0]).isCloseTo((float) Math.cos(1.0678051619302962), within(1e-6f));
        assertThat(obs[1]).isCloseTo((float) Math.sin(1.0678051619302962), within(1e-6f));
        assertThat(result.terminated()).isFalse();
        assertThat(result.truncated()).isFalse();
    }

    @Test
    void step_fastFallingPastPi_clipsSpeedAndNormalizesAngleInCost() {
        pendulum.setState(3.5, -7.9);

        StepResult result = pendulum.step(new float[] {-2f}, obs);

        // normalize(3.5) = 3.5 - 2 pi; thetaDot' = -8.46.. clipped to -8; theta' = 3.5 - 0.4
        assertThat(result.reward()).isCloseTo(-13.991120454100328, within(1e-12));
        assertThat(obs[2]).isEqualTo(-8f);
        assertThat(obs[0]).isCloseTo((float) Math.cos(3.1), within(1e-6f));
        assertThat(obs[1]).isCloseTo((float) Math.sin(3.1), within(1e-6f));
    }

    @Test
    void normalizeAngle_behavesLikePythonFloorModulo() {
        assertThat(Pendulum.normalizeAngle(0.0)).isEqualTo(0.0);
        assertThat(Pendulum.normalizeAngle(3.5)).isCloseTo(3.5 - 2 * Math.PI, within(1e-15));
        assertThat(Pendulum.normalizeAngle(-3.5)).isCloseTo(-3.5 + 2 * Math.PI, within(1e-15));
        assertThat(Pendulum.normalizeAngle(Math.PI)).isCloseTo(-Math.PI, within(1e-15));
        assertThat(Pendulum.normalizeAngle(-Math.PI)).isCloseTo(-Math.PI, within(1e-15));
        assertThat(Pendulum.normalizeAngle(13.0)).isCloseTo(13.0 - 4 * Math.PI, within(1e-14));
    }

    @Test
    void reset_sameSeed_givesSameTrajectory() {
        float[] a = new float[3];
        float[] b = new float[3];
        Pendulum other = new Pendulum();
        pendulum.reset(99, a);
        other.reset(99, b);
        assertThat(b).containsExactly(a);

        for (int t = 0; t < 200; t++) {
            float u = (float) Math.sin(t);
            StepResult ra = pendulum.step(new float[] {u}, a);
            StepResult rb = other.step(new float[] {u}, b);
            assertThat(rb).isEqualTo(ra);
            assertThat(b).containsExactly(a);
        }
    }

    @Test
    void reset_drawsThetaUniformInPlusMinusPi_andThetaDotInPlusMinusOne() {
        double minCos = 1;
        double maxCos = -1;
        for (long seed = 0; seed < 500; seed++) {
            pendulum.reset(seed, obs);
            assertThat(obs[0] * obs[0] + obs[1] * obs[1]).isCloseTo(1f, within(1e-6f));
            assertThat(obs[2]).isBetween(-1f, 1f);
            minCos = Math.min(minCos, obs[0]);
            maxCos = Math.max(maxCos, obs[0]);
        }
        assertThat(minCos).isLessThan(-0.99);
        assertThat(maxCos).isGreaterThan(0.99);

        float[] other = new float[3];
        new Pendulum().reset(1, other);
        pendulum.reset(2, obs);
        assertThat(other).isNotEqualTo(obs);
    }

    @Test
    void step_isTruncatedAtExactlyStep200_andNeverTerminated() {
        pendulum.reset(3, obs);
        float[] action = {0.3f};
        for (int t = 1; t <= 200; t++) {
            StepResult result = pendulum.step(action, obs);
            assertThat(result.terminated()).isFalse();
            assertThat(result.truncated()).as("step %d", t).isEqualTo(t == 200);
        }
        assertThatThrownBy(() -> pendulum.step(action, obs))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("call reset");

        pendulum.reset(4, obs);
        assertThat(pendulum.step(action, obs).truncated()).isFalse();
    }

    @Test
    void randomPolicy_scoresAboutMinus1200PerEpisode() {
        SplittableRandom random = new SplittableRandom(2024);
        float[] action = new float[1];
        double total = 0;
        int episodes = 20;
        for (int episode = 0; episode < episodes; episode++) {
            pendulum.reset(random.nextLong(), obs);
            boolean done = false;
            while (!done) {
                action[0] = (float) random.nextDouble(-2, 2);
                StepResult result = pendulum.step(action, obs);
                total += result.reward();
                done = result.done();
            }
        }
        assertThat(total / episodes).isBetween(-1600.0, -800.0);
    }

    @Test
    void step_outOfBoundsAction_throwsNamingTheValue() {
        pendulum.reset(0, obs);

        assertThatThrownBy(() -> pendulum.step(new float[] {2.5f}, obs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2.5").hasMessageContaining("[-2.0, 2.0]");
        assertThatThrownBy(() -> pendulum.step(new float[] {-2.01f}, obs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2.01");
        // the bounds themselves are valid
        pendulum.step(new float[] {2f}, obs);
        pendulum.step(new float[] {-2f}, obs);
    }

    @Test
    void step_nanAction_throws() {
        pendulum.reset(0, obs);

        assertThatThrownBy(() -> pendulum.step(new float[] {Float.NaN}, obs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void step_beforeReset_throwsIllegalState() {
        assertThatThrownBy(() -> pendulum.step(new float[] {0f}, obs))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before reset");
    }

    @Test
    void step_wrongLengths_throwIllegalArgument() {
        pendulum.reset(0, obs);

        assertThatThrownBy(() -> pendulum.step(new float[2], obs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("action");
        assertThatThrownBy(() -> pendulum.step(new float[1], new float[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observation");
        assertThatThrownBy(() -> pendulum.reset(0, new float[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observation");
    }
}
