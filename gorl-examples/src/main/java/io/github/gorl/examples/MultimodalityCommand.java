package io.github.gorl.examples;

import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Policy;
import io.github.gorl.api.StepResult;
import io.github.gorl.analysis.ActionDistribution;
import io.github.gorl.core.train.JsonFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gorl multimodality}: samples a trained composed policy at one state and tests each action dimension for
 * multimodality (Hartigan's dip test, kernel density modes and their masses).
 */
@Command(name = "multimodality", mixinStandardHelpOptions = true,
        description = "Sample a trained policy at one state and test its action distribution for multimodality:"
                + " per action dimension Hartigan's dip test, the modes of a kernel density estimate and the mass of"
                + " each mode. Prints a table and writes actions.png, stats.json and actions.csv.")
final class MultimodalityCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, description = "Run directory written by 'gorl train'.")
    Path run;

    @Option(names = "--state", split = ",", paramLabel = "V",
            description = "The observation to sample at, comma-separated (use --state=-1,0 when it starts with a"
                    + " minus). Default: the first observation of an episode reset with --reset-seed.")
    float[] state;

    @Option(names = "--reset-seed", defaultValue = "0",
            description = "Seed of the env reset that gives the default state (default: ${DEFAULT-VALUE}).")
    long resetSeed;

    @Option(names = "--policy-steps", paramLabel = "N",
            description = "Sample at the state the run's own deterministic policy reaches after N steps from the reset"
                    + " with --reset-seed, instead of the reset's first observation: a state the trained policy visits"
                    + " (a hopper standing, a cheetah running). Not with --state.")
    Integer policySteps;

    @Option(names = "--min-reward", paramLabel = "R",
            description = "With --policy-steps: keep stepping past N steps until the last reward is at least R, so"
                    + " that the state is one where the policy does well (a hopper upright, not fallen). An episode"
                    + " that ends first is followed by the next reset seed, up to " + MIN_REWARD_TRIES + " of them"
                    + " from --reset-seed.")
    Double minReward;

    /** Reset seeds {@code --min-reward} tries, from {@code --reset-seed} on. */
    static final int MIN_REWARD_TRIES = 20;

    @Option(names = "--samples", defaultValue = "10000",
            description = "Actions to draw (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--executed", description = "Test the executed actions instead of the policy's raw outputs: each"
            + " sample mapped into the action bounds as the run's environment steps it (clipped, or tanh-squashed"
            + " under --preset paper). Clipping piles mass on the bounds, so a wide Gaussian's executed actions can"
            + " be multimodal too: compare algorithms on the same kind of action. Default output folder:"
            + " <run>/multimodality-executed.")
    boolean executed;

    @Option(names = "--out", description = "Output directory (default: <run>/multimodality, or"
            + " <run>/multimodality-executed with --executed).")
    Path out;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Path outDir = out != null ? out : run.resolve(executed ? "multimodality-executed" : "multimodality");
        try (AgentFactory.LoadedRun loaded = AgentFactory.load(run)) {
            if (state != null && policySteps != null) {
                throw new IllegalArgumentException("give --state or --policy-steps, not both");
            }
            if (policySteps != null && policySteps < 0) {
                throw new IllegalArgumentException("--policy-steps must be >= 0, got " + policySteps);
            }
            if (minReward != null && (policySteps == null || !Double.isFinite(minReward))) {
                throw new IllegalArgumentException("--min-reward needs --policy-steps and a finite value, got "
                        + minReward);
            }
            float[] at = state != null ? state
                    : policySteps != null ? reached(loaded, resetSeed, policySteps, minReward, minReward == null ? 1
                            : MIN_REWARD_TRIES)
                    : firstObservation(loaded.task(), resetSeed);
            int observationDim = loaded.train().spec().observationDim();
            if (at.length != observationDim) {
                throw new IllegalArgumentException("--state must have " + observationDim + " values for "
                        + loaded.task() + ", got " + at.length + ": " + Arrays.toString(at));
            }
            ActionDistribution dist = ActionDistribution.sample(loaded.agent(), at, samples);
            if (executed) {
                ActionSquashing squashing = squashing(run);
                System.out.println("Executed actions: the samples mapped into the action bounds by " + squashing
                        + ", as the run's environment steps them");
                dist = executed(dist, squashing, loaded.train().spec());
            }
            System.out.print(dist.table());
            dist.write(outDir);
            System.out.println("Wrote " + outDir.resolve("actions.png").toAbsolutePath()
                    + ", stats.json and actions.csv");
        }
        return 0;
    }

    /**
     * The observation after the run's deterministic policy has acted {@code steps} steps from the reset with
     * {@code seed}, and then, with {@code minReward}, until its last reward is at least that; prints the steps, the
     * return it collected on the way and its last reward, so that the state's quality is on record.
     */
    private static float[] reached(AgentFactory.LoadedRun loaded, long firstSeed, int steps, Double minReward,
            int tries) {
        IllegalArgumentException last = null;
        for (long seed = firstSeed; seed < firstSeed + tries; seed++) {
            try {
                return reached(loaded, seed, steps, minReward);
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        throw tries == 1 ? last : new IllegalArgumentException(String.format(Locale.ROOT, "--policy-steps %d"
                + " --min-reward %s: no episode of reset seeds %d to %d reached that reward after %d steps; choose a"
                + " lower --min-reward", steps, minReward, firstSeed, firstSeed + tries - 1, steps), last);
    }

    private static float[] reached(AgentFactory.LoadedRun loaded, long seed, int steps, Double minReward) {
        Policy policy = loaded.agent().policy();
        try (Env env = Tasks.make(loaded.task())) {
            float[] observation = new float[env.spec().observationDim()];
            env.reset(seed, observation);
            double total = 0;
            double last = Double.NaN;
            int t = 0;
            boolean more = steps > 0 || minReward != null;
            while (more) {
                StepResult r = env.step(policy.actInBounds(observation), observation);
                total += r.reward();
                last = r.reward();
                t++;
                more = t < steps || (minReward != null && !(last >= minReward));
                if (r.done() && more) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "--policy-steps %d%s: the episode"
                            + " ended after %d steps (return %.1f) %s; choose fewer steps%s", steps,
                            minReward == null ? "" : " --min-reward " + minReward, t, total,
                            minReward == null ? "first" : "before a reward of at least " + minReward,
                            minReward == null ? "" : " or a lower --min-reward"));
                }
            }
            System.out.printf(Locale.ROOT, "State after %d steps of the deterministic policy from reset seed %d:"
                    + " return so far %.1f, last reward %.3f%n", t, seed, total, last);
            return observation;
        }
    }

    /** The action squashing {@code run.json} records ({@code trainer.actionSquashing}; CLIP for older runs). */
    static ActionSquashing squashing(Path run) throws IOException {
        String name = JsonFile.read(run.resolve("run.json")).path("trainer").path("actionSquashing").asText("CLIP");
        try {
            return ActionSquashing.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException(run.resolve("run.json") + " records an unknown actionSquashing '" + name + "'", e);
        }
    }

    /** The distribution of the executed actions: every sample of {@code raw} mapped into the spec's bounds. */
    static ActionDistribution executed(ActionDistribution raw, ActionSquashing squashing, EnvSpec spec) {
        float[] low = spec.actionLow();
        float[] high = spec.actionHigh();
        double[][] actions = new double[raw.sampleCount()][raw.actionDim()];
        for (int d = 0; d < raw.actionDim(); d++) {
            double[] column = raw.samples(d);
            for (int r = 0; r < column.length; r++) {
                actions[r][d] = squashing.apply((float) column[r], low[d], high[d]);
            }
        }
        return ActionDistribution.of(raw.task(), raw.state(), actions);
    }

    private static float[] firstObservation(String task, long seed) {
        try (Env env = Tasks.make(task)) {
            float[] observation = new float[env.spec().observationDim()];
            env.reset(seed, observation);
            return observation;
        }
    }
}
