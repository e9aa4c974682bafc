package io.github.gorl.core;

import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;

/**
 * Evaluation of the composed policy: one episode per sub-environment of the evaluation env, started from the same
 * seed every time so that successive evaluations differ only by the policy; the encoder's mean latent by default, a
 * sampled one when the run asks for stochastic evaluation.
 */
final class Evaluator {

    private final VectorEnv env;
    private final ComposedPolicy policy;
    private final long seed;
    private final int n;
    private final float[] observations;
    private final float[] actions;
    private final VectorStep step;
    private final double[] returns;
    private final boolean[] finished;
    private final boolean deterministic;

    Evaluator(VectorEnv env, ComposedPolicy policy, long seed, boolean stochastic) {
        this.deterministic = !stochastic;
        this.env = env;
        this.policy = policy;
        this.seed = seed;
        this.n = env.numEnvs();
        this.observations = new float[n * env.spec().observationDim()];
        this.actions = new float[n * env.spec().actionDim()];
        this.step = new VectorStep(n, env.spec().observationDim());
        this.returns = new double[n];
        this.finished = new boolean[n];
    }

    Evaluation evaluate(long trainingStep, int stage) {
        java.util.Arrays.fill(returns, 0);
        java.util.Arrays.fill(finished, false);
        env.reset(seed, observations);
        int remaining = n;
        // Bounded: every episode ends by maxEpisodeSteps; the slack guards against a misbehaving env.
        long limit = 2L * env.spec().maxEpisodeSteps() + 2;
        for (long t = 0; remaining > 0; t++) {
            if (t > limit) {
                throw new IllegalStateException("evaluation episodes did not end within " + limit
                        + " steps; the env must truncate at maxEpisodeSteps=" + env.spec().maxEpisodeSteps());
            }
            policy.act(observations, n, deterministic, actions);
            if (policy.squashing() != ActionSquashing.CLIP) {
                // CLIP is left to the env, which clips; any other squashing happens here, as in training.
                policy.squashing().apply(actions, actions, env.spec());
            }
            try {
                env.step(actions, step);
            } catch (NonFiniteException e) {
                throw new NonFiniteException("evaluation episode step " + (t + 1) + ": " + e.getMessage(), e.subEnv(),
                        -1, e);
            }
            for (int i = 0; i < n; i++) {
                if (!finished[i]) {
                    requireFinite(i, t + 1);
                    returns[i] += step.rewards()[i];
                    if (step.terminated()[i] || step.truncated()[i]) {
                        finished[i] = true;
                        remaining--;
                    }
                }
            }
            System.arraycopy(step.observations(), 0, observations, 0, observations.length);
        }
        double mean = 0;
        for (double r : returns) {
            mean += r;
        }
        mean /= n;
        double variance = 0;
        for (double r : returns) {
            variance += (r - mean) * (r - mean);
        }
        return new Evaluation(trainingStep, stage, mean, Math.sqrt(variance / n), n);
    }

    /** A NaN return would be reported as the policy's score: name the sub-env and the episode step instead. */
    private void requireFinite(int i, long episodeStep) {
        String what = null;
        if (!Float.isFinite(step.rewards()[i])) {
            what = "reward " + step.rewards()[i];
        }
        int obsDim = step.observationDim();
        boolean done = step.terminated()[i] || step.truncated()[i];
        float[] rows = done ? step.finalObservations() : step.observations();
        for (int k = i * obsDim; what == null && k < (i + 1) * obsDim; k++) {
            if (!Float.isFinite(rows[k])) {
                what = (done ? "final observation[" : "observation[") + (k - i * obsDim) + "] " + rows[k];
            }
        }
        if (what != null) {
            throw new NonFiniteException("non-finite " + what + " from sub-env " + i + " at evaluation episode step "
                    + episodeStep, i, -1);
        }
    }
}
