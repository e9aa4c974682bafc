package io.github.gorl.core.optim.ppo.engine;

/**
 * Generalized advantage estimation (Schulman et al., 2016) over a rollout laid out time-major,
 * index {@code j = t * numEnvs + i} for step {@code t} of sub-environment {@code i}:
 *
 * <pre>
 * delta_t = r_t + gamma * (terminated_t ? 0 : V(s_{t+1})) - V(s_t)
 * A_t     = delta_t + gamma * lambda * (episode ended at t ? 0 : A_{t+1})
 * R_t     = A_t + V(s_t)                       (the value target)
 * </pre>
 *
 * <p>{@code V(s_{t+1})} is the caller's {@code nextValues[j]}: the value of the next observation in the
 * rollout, of the observation after the rollout for its last step, and of the <em>final</em> observation
 * of the episode where it was truncated (a time limit is not a terminal state, so its value is
 * bootstrapped); it is ignored where the episode terminated.
 *
 * <p>Internal: shared by gorl-java's optimizers; not part of the stable API.
 */
public final class Gae {

    private Gae() {}

    /**
     * Computes advantages and value targets.
     *
     * @param rewards {@code [steps * numEnvs]}, already scaled
     * @param values {@code V(s_t)}, {@code [steps * numEnvs]}
     * @param nextValues {@code V(s_{t+1})} as described above, {@code [steps * numEnvs]}
     * @param terminated whether step {@code j} reached a terminal state, {@code [steps * numEnvs]}
     * @param truncated whether step {@code j} hit the time limit, {@code [steps * numEnvs]}
     * @param steps the rollout length
     * @param numEnvs the number of sub-environments
     * @param gamma the discount
     * @param lambda the GAE lambda
     * @param advantages output {@code A_t}, {@code [steps * numEnvs]}
     * @param returns output {@code R_t = A_t + V(s_t)}, {@code [steps * numEnvs]}
     */
    public static void compute(float[] rewards, float[] values, float[] nextValues, boolean[] terminated,
            boolean[] truncated, int steps, int numEnvs, double gamma, double lambda,
            float[] advantages, float[] returns) {
        int n = steps * numEnvs;
        if (rewards.length < n || values.length < n || nextValues.length < n || terminated.length < n
                || truncated.length < n || advantages.length < n || returns.length < n) {
            throw new IllegalArgumentException("every GAE array must hold steps * numEnvs = " + n + " values");
        }
        for (int i = 0; i < numEnvs; i++) {
            double next = 0;
            for (int t = steps - 1; t >= 0; t--) {
                int j = t * numEnvs + i;
                double bootstrap = terminated[j] ? 0 : nextValues[j];
                double delta = rewards[j] + gamma * bootstrap - values[j];
                boolean episodeEnded = terminated[j] || truncated[j];
                next = delta + gamma * lambda * (episodeEnded ? 0 : next);
                advantages[j] = (float) next;
                returns[j] = (float) (next + values[j]);
            }
        }
    }

    /**
     * The critic's explained variance {@code 1 - Var(R - V) / Var(R)}: 1 for a perfect critic, 0 for a constant
     * one, NaN when the returns do not vary.
     *
     * @param values the critic's values {@code V}, at least {@code n}
     * @param returns the returns {@code R}, at least {@code n}
     * @param n the number of entries to use
     * @return the explained variance
     */
    public static double explainedVariance(float[] values, float[] returns, int n) {
        double meanR = 0;
        double meanD = 0;
        for (int j = 0; j < n; j++) {
            meanR += returns[j];
            meanD += returns[j] - values[j];
        }
        meanR /= n;
        meanD /= n;
        double varR = 0;
        double varD = 0;
        for (int j = 0; j < n; j++) {
            double r = returns[j] - meanR;
            double d = returns[j] - values[j] - meanD;
            varR += r * r;
            varD += d * d;
        }
        return varR == 0 ? Double.NaN : 1 - varD / varR;
    }
}
