package io.github.gorl.core.optim.sac;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;

/**
 * One sub-env whose observation {@code [10 * episode + t]} tells a transition's origin: episodes last 3 steps,
 * even episodes end truncated and odd ones terminated, so a final observation ({@code 10 e + 3}) differs from
 * the next episode's first one ({@code 10 (e + 1)}). Reward {@code t}; optionally a NaN reward at one step.
 */
final class ScriptedVectorEnv implements VectorEnv {

    static final EnvSpec SPEC = EnvSpec.symmetric("Scripted", 1, 1, 1f, 3).latent(1);

    int resets;
    long nanRewardAtStep = -1;
    private int episode;
    private int t;
    private long steps;

    @Override
    public EnvSpec spec() {
        return SPEC;
    }

    @Override
    public int numEnvs() {
        return 1;
    }

    @Override
    public void reset(long seed, float[] observations) {
        resets++;
        episode = 0;
        t = 0;
        observations[0] = 0;
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        t++;
        out.rewards()[0] = steps++ == nanRewardAtStep ? Float.NaN : t;
        boolean done = t == 3;
        out.terminated()[0] = done && episode % 2 == 1;
        out.truncated()[0] = done && episode % 2 == 0;
        if (done) {
            out.finalObservations()[0] = 10 * episode + t;
            episode++;
            t = 0;
        }
        out.observations()[0] = 10 * episode + t;
    }

    @Override
    public void close() {}
}
