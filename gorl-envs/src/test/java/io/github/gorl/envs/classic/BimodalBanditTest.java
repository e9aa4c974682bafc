package io.github.gorl.envs.classic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.gorl.api.StepResult;
import org.junit.jupiter.api.Test;

class BimodalBanditTest {

    @Test
    void reward_atEitherMode_isBestReturn_andAtTheirAverage_isAboutZero() {
        BimodalBandit bandit = new BimodalBandit();

        assertThat(bandit.reward(new float[] {0.6f})).isCloseTo(BimodalBandit.bestReturn(), within(1e-6));
        assertThat(bandit.reward(new float[] {-0.6f})).isCloseTo(BimodalBandit.bestReturn(), within(1e-6));
        assertThat(bandit.reward(new float[] {0f})).isCloseTo(Math.exp(-18), within(1e-12)).isLessThan(1e-6);
        // halfway between a mode and the origin: exp(-0.3^2 / 0.02)
        assertThat(bandit.reward(new float[] {0.3f})).isCloseTo(Math.exp(-4.5), within(1e-6));
    }

    @Test
    void reward_inSeveralDimensions_usesTheDistanceToTheNearerMode() {
        BimodalBandit bandit = BimodalBandit.builder().actionDim(3).centre(0.5).width(0.2).build();
        float[][] modes = bandit.modes();

        assertThat(modes[0]).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(modes[1]).containsExactly(-0.5f, -0.5f, -0.5f);
        assertThat(bandit.reward(modes[0])).isCloseTo(1.0, within(1e-12));
        assertThat(bandit.reward(modes[1])).isCloseTo(1.0, within(1e-12));
        // one coordinate off by 0.2 from +c: exp(-0.04 / 0.08)
        assertThat(bandit.reward(new float[] {0.7f, 0.5f, 0.5f})).isCloseTo(Math.exp(-0.5), within(1e-6));
        // a mixed action is far from both modes
        assertThat(bandit.reward(new float[] {0.5f, -0.5f, 0.5f})).isLessThan(1e-5);
    }

    @Test
    void step_endsTheEpisodeTerminatedAfterOneStep_withConstantObservation() {
        BimodalBandit bandit = new BimodalBandit();
        float[] obs = new float[1];
        bandit.reset(123, obs);
        assertThat(obs).containsExactly(1f);

        StepResult result = bandit.step(new float[] {-0.6f}, obs);

        assertThat(result.reward()).isCloseTo(1.0, within(1e-6));
        assertThat(result.terminated()).isTrue();
        assertThat(result.truncated()).isFalse();
        assertThat(obs).containsExactly(1f);
        assertThat(bandit.spec().maxEpisodeSteps()).isEqualTo(1);
        assertThatThrownBy(() -> bandit.step(new float[] {0f}, obs))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reset");
    }

    @Test
    void step_outOfBoundsOrNanAction_throwsNamingTheValue() {
        BimodalBandit bandit = BimodalBandit.builder().actionDim(2).build();
        float[] obs = new float[1];
        bandit.reset(0, obs);

        assertThatThrownBy(() -> bandit.step(new float[] {0f, 1.5f}, obs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("action[1]")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> bandit.step(new float[] {Float.NaN, 0f}, obs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void step_beforeReset_throwsIllegalState() {
        assertThatThrownBy(() -> new BimodalBandit().step(new float[] {0f}, new float[1]))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builder_rejectsInvalidValues_namingFieldAndValue() {
        assertThatThrownBy(() -> BimodalBandit.builder().centre(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("centre").hasMessageContaining("0.0");
        assertThatThrownBy(() -> BimodalBandit.builder().centre(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> BimodalBandit.builder().centre(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> BimodalBandit.builder().width(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> BimodalBandit.builder().width(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> BimodalBandit.builder().actionDim(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actionDim");
    }

    @Test
    void defaults_areCentre06Width01ActionDim1() {
        BimodalBandit bandit = new BimodalBandit();

        assertThat(bandit.centre()).isEqualTo(0.6);
        assertThat(bandit.width()).isEqualTo(0.1);
        assertThat(bandit.spec().actionDim()).isEqualTo(1);
        assertThat(bandit.spec().observationDim()).isEqualTo(1);
        assertThat(bandit.spec().actionLow()).containsExactly(-1f);
        assertThat(bandit.spec().actionHigh()).containsExactly(1f);
    }
}
