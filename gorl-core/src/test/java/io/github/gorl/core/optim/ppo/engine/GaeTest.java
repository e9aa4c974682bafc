package io.github.gorl.core.optim.ppo.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** GAE against values computed by hand with gamma = lambda = 0.5 (so gamma * lambda = 0.25). */
class GaeTest {

    private static final float[] REWARDS = {1, 2, 3, 4};
    private static final float[] VALUES = {0.5f, 1, 1.5f, 2};
    /** V(s_{t+1}): the next row's value, and 3 after the rollout. */
    private static final float[] NEXT_VALUES = {1, 1.5f, 2, 3};

    private static float[][] run(float[] nextValues, boolean[] terminated, boolean[] truncated) {
        float[] advantages = new float[4];
        float[] returns = new float[4];
        Gae.compute(REWARDS, VALUES, nextValues, terminated, truncated, 4, 1, 0.5, 0.5, advantages, returns);
        return new float[][] {advantages, returns};
    }

    @Test
    void compute_withoutEpisodeEnds_bootstrapsFromTheValueAfterTheRollout() {
        float[][] out = run(NEXT_VALUES, new boolean[4], new boolean[4]);
        // delta = [1, 1.75, 2.5, 3.5]; A_t = delta_t + 0.25 A_{t+1}
        assertThat(out[0]).containsExactly(new float[] {1.6484375f, 2.59375f, 3.375f, 3.5f}, within(1e-6f));
        assertThat(out[1]).containsExactly(new float[] {2.1484375f, 3.59375f, 4.875f, 5.5f}, within(1e-6f));
    }

    @Test
    void compute_onTruncation_bootstrapsFromTheFinalObservationValueAndCutsTheTrace() {
        float[] next = NEXT_VALUES.clone();
        next[1] = 10; // V(final observation of the truncated episode), not the next episode's first state
        boolean[] truncated = {false, true, false, false};
        float[][] out = run(next, new boolean[4], truncated);
        // delta_1 = 2 + 0.5 * 10 - 1 = 6, no trace from step 2; A_0 = 1 + 0.25 * 6
        assertThat(out[0]).containsExactly(new float[] {2.5f, 6f, 3.375f, 3.5f}, within(1e-6f));
    }

    @Test
    void compute_onTermination_doesNotBootstrap() {
        float[] next = NEXT_VALUES.clone();
        next[1] = 10; // ignored: a terminal state has no future
        boolean[] terminated = {false, true, false, false};
        float[][] out = run(next, terminated, new boolean[4]);
        // delta_1 = 2 + 0 - 1 = 1; A_0 = 1 + 0.25 * 1
        assertThat(out[0]).containsExactly(new float[] {1.25f, 1f, 3.375f, 3.5f}, within(1e-6f));
        assertThat(out[1]).containsExactly(new float[] {1.75f, 2f, 4.875f, 5.5f}, within(1e-6f));
    }

    @Test
    void compute_interleavesSubEnvsTimeMajor() {
        // Two sub-envs: env 0 runs through, env 1 terminates at step 1; row j = t * 2 + i.
        float[] rewards = new float[8];
        float[] values = new float[8];
        float[] next = new float[8];
        boolean[] terminated = new boolean[8];
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 2; i++) {
                rewards[t * 2 + i] = REWARDS[t];
                values[t * 2 + i] = VALUES[t];
                next[t * 2 + i] = NEXT_VALUES[t];
            }
        }
        terminated[1 * 2 + 1] = true;
        float[] advantages = new float[8];
        float[] returns = new float[8];
        Gae.compute(rewards, values, next, terminated, new boolean[8], 4, 2, 0.5, 0.5, advantages, returns);
        assertThat(new float[] {advantages[0], advantages[2], advantages[4], advantages[6]})
                .containsExactly(new float[] {1.6484375f, 2.59375f, 3.375f, 3.5f}, within(1e-6f));
        assertThat(new float[] {advantages[1], advantages[3], advantages[5], advantages[7]})
                .containsExactly(new float[] {1.25f, 1f, 3.375f, 3.5f}, within(1e-6f));
    }

    @Test
    void compute_withLambdaOne_givesDiscountedReturnsMinusValues() {
        float[] advantages = new float[4];
        float[] returns = new float[4];
        Gae.compute(REWARDS, VALUES, NEXT_VALUES, new boolean[4], new boolean[4], 4, 1, 0.5, 1.0, advantages, returns);
        // R_0 = 1 + 0.5 * 2 + 0.25 * 3 + 0.125 * 4 + 0.0625 * 3 (bootstrap)
        assertThat(returns[0]).isCloseTo(1 + 1 + 0.75f + 0.5f + 0.1875f, within(1e-6f));
    }
}
