package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorStep;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The sub-environments of a vector env and the per-sub-env work of one step (clip, step, check,
 * auto-reset), shared by the synchronous and the threaded implementation so that both give bit-identical
 * results. Methods work on a range {@code [from, to)} of sub-envs; distinct ranges touch disjoint state,
 * so workers may run them in parallel.
 */
final class SubEnvs {

    /** The golden-ratio increment of SplitMix64: consecutive inputs map to well-spread seeds. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    final EnvSpec spec;
    final int numEnvs;
    final int observationDim;
    final int actionDim;
    private final Env[] envs;
    private final float[] low;
    private final float[] high;
    private final int maxEpisodeSteps;
    /** Per sub-env, reused every step: the clipped action and the observation written by the env. */
    private final float[][] actionBuffers;
    private final float[][] observationBuffers;
    private final int[] episodeSteps;
    /** How many episodes each sub-env has started since the last vector reset; feeds the seed. */
    private final long[] episodes;
    private long baseSeed;
    /** Vector steps since the last vector reset, for error messages. */
    private long vectorSteps;

    SubEnvs(IntFunction<Env> factory, int numEnvs) {
        Validate.notNull("factory", factory);
        this.numEnvs = Validate.positive("numEnvs", numEnvs);
        this.envs = new Env[numEnvs];
        Map<Env, Boolean> distinct = new IdentityHashMap<>();
        try {
            for (int i = 0; i < numEnvs; i++) {
                Env env = factory.apply(i);
                if (env == null) {
                    throw new IllegalArgumentException("factory returned null for sub-env " + i);
                }
                if (distinct.put(env, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException("factory returned the same Env instance twice (again for "
                            + "sub-env " + i + "); every sub-env needs its own instance");
                }
                envs[i] = env;
                EnvSpec s = env.spec();
                if (s == null) {
                    throw new IllegalArgumentException("sub-env " + i + " returned a null spec");
                }
                if (i > 0 && !s.equals(envs[0].spec())) {
                    throw new IllegalArgumentException("every sub-env must have the same spec; sub-env " + i
                            + " has " + s + ", sub-env 0 has " + envs[0].spec());
                }
            }
        } catch (RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
        this.spec = envs[0].spec();
        this.observationDim = spec.observationDim();
        this.actionDim = spec.actionDim();
        this.low = spec.actionLow();
        this.high = spec.actionHigh();
        this.maxEpisodeSteps = spec.maxEpisodeSteps();
        this.actionBuffers = new float[numEnvs][actionDim];
        this.observationBuffers = new float[numEnvs][observationDim];
        this.episodeSteps = new int[numEnvs];
        this.episodes = new long[numEnvs];
    }

    /**
     * The seed of episode {@code episode} of sub-env {@code index} after a vector reset with {@code seed}:
     * two rounds of the SplitMix64 finalizer, so that nearby seeds, indices and episodes do not give
     * correlated initial states.
     */
    static long subEnvSeed(long seed, int index, long episode) {
        return mix64(mix64(seed + GOLDEN * (index + 1L)) + GOLDEN * (episode + 1L));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Called by the owner before a vector reset is dispatched. */
    void beginReset(long seed, float[] observations) {
        Validate.length("observations", observations, numEnvs * observationDim);
        baseSeed = seed;
        vectorSteps = 0;
    }

    /**
     * Checks the caller's arguments in the caller's thread before any sub-env moves, so that a bad
     * action leaves every sub-env untouched. NaN is never clipped: it means the learner diverged.
     */
    void beginStep(float[] actions, VectorStep out) {
        Validate.length("actions", actions, numEnvs * actionDim);
        Validate.notNull("out", out);
        if (out.numEnvs() != numEnvs || out.observationDim() != observationDim) {
            throw new IllegalArgumentException("out must be a VectorStep(" + numEnvs + ", " + observationDim
                    + ") for this env, got VectorStep(" + out.numEnvs() + ", " + out.observationDim() + ")");
        }
        for (int k = 0; k < actions.length; k++) {
            if (Float.isNaN(actions[k])) {
                throw new IllegalArgumentException("action of sub-env " + k / actionDim + ", dimension "
                        + k % actionDim + " is NaN (at vector step " + vectorSteps + ")");
            }
        }
        vectorSteps++;
    }

    /** Resets sub-envs {@code [from, to)} to their first episode, writing their rows of {@code observations}. */
    void reset(int from, int to, float[] observations) {
        for (int i = from; i < to; i++) {
            episodes[i] = 0;
            resetOne(i);
            System.arraycopy(observationBuffers[i], 0, observations, i * observationDim, observationDim);
        }
    }

    /** Steps sub-envs {@code [from, to)}, auto-resetting those whose episode ended. */
    void step(int from, int to, float[] actions, VectorStep out) {
        float[] observations = out.observations();
        float[] finalObservations = out.finalObservations();
        float[] rewards = out.rewards();
        boolean[] terminated = out.terminated();
        boolean[] truncated = out.truncated();
        for (int i = from; i < to; i++) {
            float[] action = actionBuffers[i];
            int a0 = i * actionDim;
            for (int d = 0; d < actionDim; d++) {
                float a = actions[a0 + d];
                action[d] = a < low[d] ? low[d] : (a > high[d] ? high[d] : a);
            }
            float[] observation = observationBuffers[i];
            // NaN-filled so that an element the env forgot to write is caught below, not reused silently.
            Arrays.fill(observation, Float.NaN);
            episodeSteps[i]++;
            StepResult result;
            try {
                result = envs[i].step(action, observation);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // Errors too (a native library that fails to load, an assertion): the caller learns which sub-env
                // and step; a VirtualMachineError (out of memory) passes as it is.
                throw new IllegalStateException(where(i) + " threw from step: " + e, e);
            }
            if (result == null) {
                throw new IllegalStateException(where(i) + " returned a null StepResult");
            }
            float reward = (float) result.reward();
            if (!Float.isFinite(reward)) {
                throw new NonFiniteException(where(i) + " returned a non-finite reward " + result.reward()
                        + " (as float: " + reward + ")", i, -1);
            }
            checkObservation(i, observation, "step");
            boolean isTerminated = result.terminated();
            // Acts as Gymnasium's TimeLimit for an env that forgets to truncate; Envs.check flags such envs.
            boolean isTruncated = result.truncated() || (!isTerminated && episodeSteps[i] >= maxEpisodeSteps);
            rewards[i] = reward;
            terminated[i] = isTerminated;
            truncated[i] = isTruncated;
            int o0 = i * observationDim;
            if (isTerminated || isTruncated) {
                System.arraycopy(observation, 0, finalObservations, o0, observationDim);
                episodes[i]++;
                resetOne(i);
            }
            System.arraycopy(observationBuffers[i], 0, observations, o0, observationDim);
        }
    }

    private void resetOne(int i) {
        long seed = subEnvSeed(baseSeed, i, episodes[i]);
        float[] observation = observationBuffers[i];
        Arrays.fill(observation, Float.NaN);
        try {
            envs[i].reset(seed, observation);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw new IllegalStateException("sub-env " + i + " threw from reset(seed=" + seed + "): " + e, e);
        }
        episodeSteps[i] = 0;
        checkObservation(i, observation, "reset(seed=" + seed + ")");
    }

    private void checkObservation(int i, float[] observation, String call) {
        for (int j = 0; j < observation.length; j++) {
            if (!Float.isFinite(observation[j])) {
                throw new NonFiniteException(where(i) + " returned a non-finite observation[" + j + "] = "
                        + observation[j] + " from " + call
                        + (Float.isNaN(observation[j]) ? " (NaN: computed as NaN or not written)" : ""), i, -1);
            }
        }
    }

    /** Names a sub-env and where it is, for error messages: built only when something failed. */
    private String where(int i) {
        return "sub-env " + i + " (episode " + episodes[i] + ", episode step " + episodeSteps[i]
                + ", vector step " + vectorSteps + ")";
    }

    /** Closes every sub-env, even if some throw; rethrows the first failure with the others suppressed. */
    void close() {
        closeQuietly(null);
    }

    private void closeQuietly(RuntimeException pending) {
        RuntimeException failure = pending;
        for (int i = 0; i < envs.length; i++) {
            if (envs[i] == null) {
                continue;
            }
            try {
                envs[i].close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new IllegalStateException("sub-env " + i + " threw from close: " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
            envs[i] = null;
        }
        if (failure != null && failure != pending) {
            throw failure;
        }
    }
}
