package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;

/**
 * A tiny env whose behaviour tests set field by field, including every way to break the contract.
 * Observation: {@code [steps in episode, received action[0], a feature of the reset seed]}; reward: the
 * step number.
 */
final class ScriptedEnv implements Env {

    static final int OBSERVATION_DIM = 3;

    int maxEpisodeSteps = 5;
    float bound = 1.0f;
    /** Step at which the episode terminates; 0 = never. */
    int terminateAt;
    boolean truncates = true;
    /** Steps at which something goes wrong; 0 = never. */
    int nanObservationAt;
    int nanRewardAt;
    int infiniteRewardAt;
    int throwAt;
    /** Throw an AssertionError (an Error, not an exception) at {@link #throwAt}. */
    boolean throwError;
    /** How many observation values step and reset write; OBSERVATION_DIM unless testing a broken env. */
    int written = OBSERVATION_DIM;
    boolean nondeterministic;
    boolean acceptsStepAfterDone;

    int steps;
    boolean running;
    long lastSeed;
    int closeCount;
    float[] lastAction;

    @Override
    public EnvSpec spec() {
        return EnvSpec.symmetric("Scripted", OBSERVATION_DIM, 1, bound, maxEpisodeSteps);
    }

    @Override
    public void reset(long seed, float[] observation) {
        lastSeed = seed;
        steps = 0;
        running = true;
        write(observation, 0f);
    }

    @Override
    public StepResult step(float[] action, float[] observation) {
        if (!running && !acceptsStepAfterDone) {
            throw new IllegalStateException("reset first");
        }
        steps++;
        lastAction = action.clone();
        if (steps == throwAt) {
            if (throwError) {
                throw new AssertionError("scripted error at step " + steps);
            }
            throw new UnsupportedOperationException("scripted failure at step " + steps);
        }
        write(observation, action[0]);
        if (steps == nanObservationAt) {
            observation[1] = Float.NaN;
        }
        double reward = steps;
        if (steps == nanRewardAt) {
            reward = Double.NaN;
        }
        if (steps == infiniteRewardAt) {
            reward = Double.POSITIVE_INFINITY;
        }
        if (nondeterministic) {
            reward += Math.random();
        }
        boolean terminated = steps == terminateAt;
        boolean truncated = truncates && !terminated && steps >= maxEpisodeSteps;
        running = !(terminated || truncated);
        return new StepResult(reward, terminated, truncated);
    }

    private void write(float[] observation, float action) {
        float[] values = {steps, action, (float) Math.floorMod(lastSeed, 1000L)};
        for (int j = 0; j < written; j++) {
            observation[j] = values[j % OBSERVATION_DIM];
        }
    }

    @Override
    public void close() {
        closeCount++;
    }
}
