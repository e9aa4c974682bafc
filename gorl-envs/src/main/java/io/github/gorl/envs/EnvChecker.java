package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs the checks behind {@link Envs#check}: each check records what it finds and the next one runs
 * anyway, so a user sees every problem at once. Only a spec or reset that cannot be used at all stops
 * the run early, because nothing after it could be interpreted.
 */
final class EnvChecker {

    /** Random episodes played to their end. */
    private static final int EPISODES = 3;
    /** Episodes longer than this are not played to their end; truncation is then left unverified. */
    private static final int MAX_CHECKED_EPISODE_STEPS = 100_000;
    /** Steps compared between two runs with the same seed and actions. */
    private static final int DETERMINISM_STEPS = 100;
    /** Steps compared between two runs with different seeds. */
    private static final int SEED_STEPS = 10;
    /** Seeds the checker's own action sampling: reports are reproducible. */
    private static final long ACTION_SEED = 0x5EEDL;

    private final Env env;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private EnvSpec spec;
    private float[] observation;
    private float[] action;
    private float[] low;
    private float[] high;
    private boolean stepAfterDoneChecked;

    EnvChecker(Env env) {
        this.env = env;
    }

    EnvCheckReport run() {
        if (checkSpec() && checkReset()) {
            checkEpisodes();
            checkDeterminism();
            checkSeedsMatter();
        }
        return new EnvCheckReport(spec == null ? "?" : spec.id(), problems, warnings);
    }

    private boolean checkSpec() {
        try {
            spec = env.spec();
        } catch (RuntimeException e) {
            problems.add("spec() threw " + e);
            return false;
        }
        if (spec == null) {
            problems.add("spec() returned null");
            return false;
        }
        EnvSpec again;
        try {
            again = env.spec();
        } catch (RuntimeException e) {
            again = null;
        }
        if (!spec.equals(again)) {
            problems.add("spec() must be constant, but returned " + spec + " and then " + again);
        }
        if (spec.id().isBlank()) {
            warnings.add("spec id is blank; logs and run metadata will not name the task");
        }
        observation = new float[spec.observationDim()];
        action = new float[spec.actionDim()];
        low = spec.actionLow();
        high = spec.actionHigh();
        return true;
    }

    /** Reset must write exactly {@code observationDim} finite values: the buffer is NaN-filled first. */
    private boolean checkReset() {
        String call = "reset(seed=0)";
        if (!reset(0, call)) {
            return false;
        }
        return checkObservation(call);
    }

    private void checkEpisodes() {
        SplittableRandom random = new SplittableRandom(ACTION_SEED);
        int maxSteps = spec.maxEpisodeSteps();
        int limit = Math.min(maxSteps, MAX_CHECKED_EPISODE_STEPS);
        for (int episode = 0; episode < EPISODES; episode++) {
            long seed = episode + 1;
            if (!reset(seed, "reset(seed=" + seed + ")") || !checkObservation("reset(seed=" + seed + ")")) {
                return;
            }
            boolean done = false;
            int t = 0;
            while (!done && t < limit) {
                // The bounds themselves must be accepted: some envs wrongly use strict comparisons.
                if (episode == 0 && t == 0) {
                    System.arraycopy(low, 0, action, 0, action.length);
                    boundedOrSample(random);
                } else if (episode == 0 && t == 1) {
                    System.arraycopy(high, 0, action, 0, action.length);
                    boundedOrSample(random);
                } else {
                    sampleAction(random);
                }
                t++;
                String call = "step " + t + " of episode " + episode + " (seed=" + seed + ", action="
                        + Arrays.toString(action) + ")";
                StepResult result = step(call);
                if (result == null || !checkReward(result, call) || !checkObservation(call)) {
                    return;
                }
                done = result.done();
            }
            if (!done) {
                if (limit == maxSteps) {
                    problems.add("episode " + episode + " (seed=" + seed + ") did not end within maxEpisodeSteps="
                            + maxSteps + " steps: step must return truncated=true at step " + maxSteps
                            + " at the latest");
                } else {
                    warnings.add("maxEpisodeSteps=" + maxSteps + " is too long to play out; truncation was "
                            + "checked only up to step " + limit);
                }
                return;
            }
            if (!stepAfterDoneChecked) {
                stepAfterDoneChecked = true;
                checkStepAfterDone(random, t);
            }
        }
    }

    /** A step after the end without reset should fail loudly: silently continuing hides caller bugs. */
    private void checkStepAfterDone(SplittableRandom random, int episodeLength) {
        sampleAction(random);
        try {
            env.step(action, observation);
            warnings.add("step after the episode ended (step " + (episodeLength + 1) + ", no reset) was accepted;"
                    + " the Env contract requires a reset, and an IllegalStateException would catch callers"
                    + " that forget it");
        } catch (IllegalStateException expected) {
            // the recommended behaviour
        } catch (RuntimeException e) {
            warnings.add("step after the episode ended (no reset) threw " + e
                    + "; an IllegalStateException says more clearly that reset is missing");
        }
    }

    /** Same seed, same actions: the trajectory must repeat bit for bit. */
    private void checkDeterminism() {
        int steps = Math.min(spec.maxEpisodeSteps(), DETERMINISM_STEPS);
        Trajectory first = play(42, steps, "determinism check");
        Trajectory second = play(42, steps, "determinism check");
        if (first == null || second == null) {
            return;
        }
        String difference = first.firstDifference(second);
        if (difference != null) {
            problems.add("not deterministic: reset(seed=42) and the same actions gave different trajectories ("
                    + difference + "); derive all randomness from the reset seed");
        }
    }

    private void checkSeedsMatter() {
        int steps = Math.min(spec.maxEpisodeSteps(), SEED_STEPS);
        Trajectory a = play(101, steps, "seed check");
        Trajectory b = play(202, steps, "seed check");
        if (a != null && b != null && a.firstDifference(b) == null) {
            warnings.add("reset(seed=101) and reset(seed=202) gave identical trajectories under the same actions;"
                    + " is the seed ignored? (fine for a task without randomness)");
        }
    }

    /** Plays up to {@code steps} steps with actions drawn from a fixed seed; null if the env threw. */
    private Trajectory play(long seed, int steps, String purpose) {
        SplittableRandom random = new SplittableRandom(ACTION_SEED + 1);
        Trajectory trajectory = new Trajectory(spec.observationDim(), steps);
        Arrays.fill(observation, Float.NaN);
        try {
            env.reset(seed, observation);
            trajectory.add(observation, 0.0, false, false);
            for (int t = 0; t < steps; t++) {
                sampleAction(random);
                Arrays.fill(observation, Float.NaN);
                StepResult result = env.step(action, observation);
                if (result == null) {
                    return null; // already reported by checkEpisodes
                }
                trajectory.add(observation, result.reward(), result.terminated(), result.truncated());
                if (result.done()) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            problems.add(purpose + " with reset(seed=" + seed + ") threw " + e);
            return null;
        }
        return trajectory;
    }

    private boolean reset(long seed, String call) {
        Arrays.fill(observation, Float.NaN);
        try {
            env.reset(seed, observation);
            return true;
        } catch (ArrayIndexOutOfBoundsException e) {
            problems.add(call + " threw " + e + "; does it write more than observationDim="
                    + spec.observationDim() + " values?");
        } catch (RuntimeException e) {
            problems.add(call + " threw " + e);
        }
        return false;
    }

    private StepResult step(String call) {
        Arrays.fill(observation, Float.NaN);
        try {
            StepResult result = env.step(action, observation);
            if (result == null) {
                problems.add(call + " returned a null StepResult");
            }
            return result;
        } catch (ArrayIndexOutOfBoundsException e) {
            problems.add(call + " threw " + e + "; does it write more than observationDim="
                    + spec.observationDim() + " values or read more than actionDim=" + spec.actionDim() + "?");
        } catch (RuntimeException e) {
            problems.add(call + " threw " + e);
        }
        return null;
    }

    private boolean checkObservation(String call) {
        for (int j = 0; j < observation.length; j++) {
            float v = observation[j];
            if (Float.isNaN(v)) {
                problems.add(call + " left observation[" + j + "] NaN: it was not written (observationDim is "
                        + observation.length + "; is the spec's size wrong?) or was computed as NaN");
                return false;
            }
            if (Float.isInfinite(v)) {
                problems.add(call + " wrote a non-finite observation[" + j + "] = " + v);
                return false;
            }
        }
        return true;
    }

    private boolean checkReward(StepResult result, String call) {
        if (!Double.isFinite(result.reward()) || !Float.isFinite((float) result.reward())) {
            problems.add(call + " returned a non-finite reward " + result.reward()
                    + " (rewards are stored as float)");
            return false;
        }
        return true;
    }

    /** Keeps finite bounds copied into {@code action}; samples where a bound is infinite. */
    private void boundedOrSample(SplittableRandom random) {
        for (int d = 0; d < action.length; d++) {
            if (Float.isInfinite(action[d])) {
                action[d] = (float) random.nextGaussian();
            }
        }
    }

    /** Uniform in finite bounds; standard normal, shifted to the finite side, where a bound is infinite. */
    private void sampleAction(SplittableRandom random) {
        for (int d = 0; d < action.length; d++) {
            boolean lowFinite = Float.isFinite(low[d]);
            boolean highFinite = Float.isFinite(high[d]);
            float a;
            if (lowFinite && highFinite) {
                a = low[d] == high[d] ? low[d] : (float) random.nextDouble(low[d], high[d]);
                a = Math.min(Math.max(a, low[d]), high[d]); // float rounding could land just outside
            } else if (lowFinite) {
                a = low[d] + (float) Math.abs(random.nextGaussian());
            } else if (highFinite) {
                a = high[d] - (float) Math.abs(random.nextGaussian());
            } else {
                a = (float) random.nextGaussian();
            }
            action[d] = a;
        }
    }

    /** The observations, rewards and flags of one run, compared bit for bit. */
    private static final class Trajectory {

        private final int observationDim;
        private final float[] observations;
        private final double[] rewards;
        private final boolean[] terminated;
        private final boolean[] truncated;
        /** Entries recorded: the reset, then one per step. */
        private int length;

        Trajectory(int observationDim, int steps) {
            this.observationDim = observationDim;
            this.observations = new float[(steps + 1) * observationDim];
            this.rewards = new double[steps + 1];
            this.terminated = new boolean[steps + 1];
            this.truncated = new boolean[steps + 1];
        }

        void add(float[] observation, double reward, boolean isTerminated, boolean isTruncated) {
            System.arraycopy(observation, 0, observations, length * observationDim, observationDim);
            rewards[length] = reward;
            terminated[length] = isTerminated;
            truncated[length] = isTruncated;
            length++;
        }

        /** The first difference, described; null when the two agree everywhere. */
        String firstDifference(Trajectory other) {
            int n = Math.min(length, other.length);
            for (int t = 0; t < n; t++) {
                String at = t == 0 ? "at reset" : "at step " + t;
                for (int j = 0; j < observationDim; j++) {
                    float a = observations[t * observationDim + j];
                    float b = other.observations[t * observationDim + j];
                    if (Float.floatToIntBits(a) != Float.floatToIntBits(b)) {
                        return at + ", observation[" + j + "] " + a + " vs " + b;
                    }
                }
                if (Double.doubleToLongBits(rewards[t]) != Double.doubleToLongBits(other.rewards[t])) {
                    return at + ", reward " + rewards[t] + " vs " + other.rewards[t];
                }
                if (terminated[t] != other.terminated[t] || truncated[t] != other.truncated[t]) {
                    return at + ", terminated/truncated " + terminated[t] + "/" + truncated[t] + " vs "
                            + other.terminated[t] + "/" + other.truncated[t];
                }
            }
            if (length != other.length) {
                return "episode lengths " + (length - 1) + " vs " + (other.length - 1);
            }
            return null;
        }
    }
}
