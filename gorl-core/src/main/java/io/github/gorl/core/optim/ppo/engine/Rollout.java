package io.github.gorl.core.optim.ppo.engine;

import io.github.gorl.api.NonFiniteException;

/**
 * The preallocated buffers of one rollout, time-major: row {@code j = t * numEnvs + i} is step {@code t} of
 * sub-environment {@code i}. Reused from rollout to rollout, so collecting allocates nothing here.
 * Filled by {@link PpoEngine}; {@code actionDim} is the latent size for latent PPO.
 */
public final class Rollout {

    public final int steps;
    public final int numEnvs;
    public final int observationDim;
    public final int actionDim;
    /** Floats per row that the policy's statistic needs besides the action ({@link PpoPolicy#extraWidth()}). */
    public final int extraWidth;
    /** Floats of {@code l_old} per row ({@link PpoPolicy#statisticWidth()}). */
    public final int statisticWidth;
    public final int size;

    /** {@code s_t}, raw, {@code [size, observationDim]}. */
    public final float[] observations;
    /** The sampled actions (latent PPO: the latents {@code eps_t}, unclipped), {@code [size, actionDim]}. */
    public final float[] actions;
    /** The policy's per-row extras, {@code [size, extraWidth]}. */
    public final float[] extras;
    /**
     * {@code l_old(s_t, a_t)}, the statistic of the log-ratio (latent PPO: {@code log pi_old(eps_t | s_t)} at sampling
     * time), {@code [size, statisticWidth]}.
     */
    public final float[] statistics;
    /** Raw rewards {@code [size]} (scaled only when advantages are computed). */
    public final float[] rewards;
    public final boolean[] terminated;
    public final boolean[] truncated;
    /** The final observation of an episode that ended at row {@code j}; other rows are stale. */
    public final float[] finalObservations;
    /** The observations after the last step, to bootstrap from, {@code [numEnvs, observationDim]}. */
    public final float[] bootstrapObservations;
    /** Reward times the reward scaling, {@code [size]}. */
    public final float[] scaledRewards;
    public final float[] values;
    public final float[] nextValues;
    public final float[] advantages;
    public final float[] returns;

    Rollout(int steps, int numEnvs, int observationDim, int actionDim, int extraWidth, int statisticWidth) {
        this.steps = steps;
        this.numEnvs = numEnvs;
        this.observationDim = observationDim;
        this.actionDim = actionDim;
        this.extraWidth = extraWidth;
        this.statisticWidth = statisticWidth;
        this.size = Math.multiplyExact(steps, numEnvs);
        observations = new float[Math.multiplyExact(size, observationDim)];
        actions = new float[Math.multiplyExact(size, actionDim)];
        extras = new float[Math.multiplyExact(size, extraWidth)];
        statistics = new float[Math.multiplyExact(size, statisticWidth)];
        rewards = new float[size];
        terminated = new boolean[size];
        truncated = new boolean[size];
        finalObservations = new float[observations.length];
        bootstrapObservations = new float[numEnvs * observationDim];
        scaledRewards = new float[size];
        values = new float[size];
        nextValues = new float[size];
        advantages = new float[size];
        returns = new float[size];
    }

    /**
     * One pass over what the update reads: a NaN or infinite value here would silently poison every
     * parameter, so it is reported with where it came from instead.
     *
     * @param rewardScaling the reward factor (a finite reward can overflow once scaled)
     * @param stepsBefore the env steps taken in this learn call before this rollout, for the message
     * @throws IllegalStateException naming the quantity, sub-env and step of the first bad value
     */
    void requireFinite(double rewardScaling, long stepsBefore) {
        for (int j = 0; j < size; j++) {
            int t = j / numEnvs;
            int i = j % numEnvs;
            if (!Float.isFinite(rewards[j]) || !Float.isFinite((float) (rewards[j] * rewardScaling))) {
                throw bad("reward " + rewards[j] + (Float.isFinite(rewards[j])
                        ? " (times rewardScaling " + rewardScaling + " overflows float)" : ""), i, t, stepsBefore);
            }
            requireFiniteRow(observations, j, "observation", i, t, stepsBefore);
            if (terminated[j] || truncated[j]) {
                requireFiniteRow(finalObservations, j, "final observation", i, t, stepsBefore);
            }
        }
        for (int i = 0; i < numEnvs; i++) {
            requireFiniteRow(bootstrapObservations, i, "observation after the rollout", i, steps, stepsBefore);
        }
    }

    private void requireFiniteRow(float[] rows, int row, String what, int env, int t, long stepsBefore) {
        for (int k = row * observationDim, end = k + observationDim; k < end; k++) {
            if (!Float.isFinite(rows[k])) {
                throw bad(what + "[" + (k - row * observationDim) + "] " + rows[k], env, t, stepsBefore);
            }
        }
    }

    private NonFiniteException bad(String what, int env, int t, long stepsBefore) {
        long step = stepsBefore + (long) t * numEnvs + env + 1;
        return new NonFiniteException("non-finite " + what + " from sub-env " + env + " at rollout step " + t
                + " (env step " + step + " of this learn call)", env, step);
    }
}
