package io.github.gorl.core.optim.ppo;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import java.util.Arrays;

/**
 * A deterministic test env: sub-env {@code i} at episode step {@code t} observes
 * {@code obs[k] = i + 0.1 * (t + 1) + 0.01 * k}; the reward is a script of {@code (i, global step)}; an
 * episode ends after {@code episodeLength} steps, terminated or truncated as configured. It validates
 * nothing, so tests can feed NaN rewards to the learner.
 */
final class ScriptedVectorEnv implements VectorEnv {

    interface Reward {
        float of(int env, long globalStep, float[] action);
    }

    private final EnvSpec spec;
    private final int numEnvs;
    private final int episodeLength;
    private final boolean terminate;
    private final Reward reward;
    private final int[] t;
    private long globalStep;
    int resets;
    long lastResetSeed;
    final float[] lastActions;

    ScriptedVectorEnv(int numEnvs, int observationDim, int actionDim, int episodeLength, boolean terminate,
            Reward reward) {
        float[] low = new float[actionDim];
        float[] high = new float[actionDim];
        Arrays.fill(low, Float.NEGATIVE_INFINITY);
        Arrays.fill(high, Float.POSITIVE_INFINITY);
        this.spec = new EnvSpec("Scripted", observationDim, actionDim, low, high, episodeLength);
        this.numEnvs = numEnvs;
        this.episodeLength = episodeLength;
        this.terminate = terminate;
        this.reward = reward;
        this.t = new int[numEnvs];
        this.lastActions = new float[numEnvs * actionDim];
    }

    static float observation(int env, int step, int k) {
        return env + 0.1f * (step + 1) + 0.01f * k;
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public int numEnvs() {
        return numEnvs;
    }

    @Override
    public void reset(long seed, float[] observations) {
        resets++;
        lastResetSeed = seed;
        Arrays.fill(t, 0);
        for (int i = 0; i < numEnvs; i++) {
            observe(i, observations);
        }
    }

    private void observe(int i, float[] out) {
        for (int k = 0; k < spec.observationDim(); k++) {
            out[i * spec.observationDim() + k] = observation(i, t[i], k);
        }
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        System.arraycopy(actions, 0, lastActions, 0, lastActions.length);
        for (int i = 0; i < numEnvs; i++) {
            float[] action = Arrays.copyOfRange(actions, i * spec.actionDim(), (i + 1) * spec.actionDim());
            out.rewards()[i] = reward.of(i, globalStep, action);
            t[i]++;
            boolean done = t[i] >= episodeLength;
            out.terminated()[i] = done && terminate;
            out.truncated()[i] = done && !terminate;
            if (done) {
                observe(i, out.finalObservations());
                t[i] = 0;
            }
            observe(i, out.observations());
        }
        globalStep++;
    }

    @Override
    public void close() {}
}
