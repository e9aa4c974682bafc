package io.github.gorl.core.optim.ppo.engine;

/**
 * Preallocated rows of one minibatch, gathered from a rollout in a shuffled order; tests also fill one by hand
 * ({@link PpoEngine#newMinibatch}).
 *
 * <p>Internal: public for the baselines' tests; not part of the stable API.
 */
public final class Minibatch {

    private final int observationDim;
    private final int actionDim;
    private final int extraWidth;
    private final int statisticWidth;
    /** Raw observations {@code [size, observationDim]}. */
    public final float[] observations;
    /** Actions {@code [size, actionDim]}. */
    public final float[] actions;
    /** The policy's extras {@code [size, extraWidth]}. */
    public final float[] extras;
    /** {@code l_old(s, a)} {@code [size, statisticWidth]} ({@link PpoPolicy#statisticWidth()}). */
    public final float[] oldStatistics;
    /** Advantages {@code [size]}, normalized per minibatch when the engine says so. */
    public final float[] advantages;
    /** Value targets {@code [size]}. */
    public final float[] returns;
    /** The rollout's values {@code [size]}. */
    public final float[] values;
    /** The rows in use. */
    public int size;

    // Sequence minibatches (the reference's update shape) only: what the per-minibatch GAE needs.
    /** Whether the rows are whole sequences, time-major {@code k = t * sequences + b}, with GAE inputs below. */
    boolean sequences;
    /** The sequences of a sequence minibatch ({@code B}); its rows are {@code unroll * B}. */
    int sequenceCount;
    /** Steps per sequence ({@code T}). */
    int unroll;
    /** Raw rewards {@code [size]}. */
    final float[] rewards;
    final boolean[] terminated;
    final boolean[] truncated;
    /** The rollout row each minibatch row came from {@code [size]}. */
    final int[] sourceRows;
    /**
     * The observations the critic sees besides the rows: the observation after each sequence's last step, then the
     * final observation of each truncated row; {@code [extraRows, observationDim]}.
     */
    final float[] extraObservations;
    int extraRows;
    /**
     * Where {@code V(s_{t+1})} of row {@code k} sits in the critic's output over {@code [rows | extra rows]}
     * {@code [size]}: the next row of the sequence, the sequence's bootstrap row, or the row's final observation.
     */
    final int[] nextValueRows;

    Minibatch(int capacity, int observationDim, int actionDim, int extraWidth, int statisticWidth) {
        this.observationDim = observationDim;
        this.actionDim = actionDim;
        this.extraWidth = extraWidth;
        this.statisticWidth = statisticWidth;
        observations = new float[capacity * observationDim];
        actions = new float[capacity * actionDim];
        extras = new float[capacity * extraWidth];
        oldStatistics = new float[capacity * statisticWidth];
        advantages = new float[capacity];
        returns = new float[capacity];
        values = new float[capacity];
        rewards = new float[capacity];
        terminated = new boolean[capacity];
        truncated = new boolean[capacity];
        sourceRows = new int[capacity];
        extraObservations = new float[2 * capacity * observationDim];
        nextValueRows = new int[capacity];
    }

    /**
     * Copies whole sequences {@code order[from..to)} of the rollout, time-major, with what the per-minibatch GAE
     * needs: sequence {@code q} is steps {@code (q / numEnvs) * unroll ..} of sub-env {@code q % numEnvs}. Advantages
     * and returns are left for the update, which computes them with the current critic (as Brax does).
     *
     * @param rollout the rollout, {@code steps} a multiple of {@code unroll}
     * @param order a permutation of the rollout's sequences
     * @param from the first sequence of {@code order} to take
     * @param to one past the last
     * @param unroll steps per sequence {@code T}
     */
    void gatherSequences(Rollout rollout, int[] order, int from, int to, int unroll) {
        int count = to - from;
        int numEnvs = rollout.numEnvs;
        this.sequences = true;
        this.sequenceCount = count;
        this.unroll = unroll;
        this.size = count * unroll;
        extraRows = count;
        for (int b = 0; b < count; b++) {
            int q = order[from + b];
            int env = q % numEnvs;
            int firstStep = (q / numEnvs) * unroll;
            int after = firstStep + unroll;
            if (after < rollout.steps) {
                System.arraycopy(rollout.observations, (after * numEnvs + env) * observationDim, extraObservations,
                        b * observationDim, observationDim);
            } else {
                System.arraycopy(rollout.bootstrapObservations, env * observationDim, extraObservations,
                        b * observationDim, observationDim);
            }
            for (int t = 0; t < unroll; t++) {
                int j = (firstStep + t) * numEnvs + env;
                int k = t * count + b;
                System.arraycopy(rollout.observations, j * observationDim, observations, k * observationDim,
                        observationDim);
                System.arraycopy(rollout.actions, j * actionDim, actions, k * actionDim, actionDim);
                System.arraycopy(rollout.extras, j * extraWidth, extras, k * extraWidth, extraWidth);
                System.arraycopy(rollout.statistics, j * statisticWidth, oldStatistics, k * statisticWidth,
                        statisticWidth);
                rewards[k] = rollout.rewards[j];
                terminated[k] = rollout.terminated[j];
                truncated[k] = rollout.truncated[j];
                sourceRows[k] = j;
            }
        }
        for (int t = 0; t < unroll; t++) {
            for (int b = 0; b < count; b++) {
                int k = t * count + b;
                if (truncated[k] && !terminated[k]) {
                    // A time limit is not a terminal state: bootstrap from the episode's final observation.
                    System.arraycopy(rollout.finalObservations, sourceRows[k] * observationDim, extraObservations,
                            extraRows * observationDim, observationDim);
                    nextValueRows[k] = size + extraRows++;
                } else {
                    nextValueRows[k] = t + 1 < unroll ? k + count : size + b;
                }
            }
        }
    }

    /**
     * Copies rows {@code order[from..to)} of the rollout.
     *
     * @param normalizeAdvantages whether to rescale this minibatch's advantages to mean 0 and standard
     *     deviation 1: the surrogate's gradient scale then does not depend on the reward scale, so one
     *     learning rate serves every task
     */
    void gather(Rollout rollout, int[] order, int from, int to, boolean normalizeAdvantages) {
        sequences = false;
        size = to - from;
        for (int k = 0; k < size; k++) {
            int j = order[from + k];
            System.arraycopy(rollout.observations, j * observationDim, observations, k * observationDim,
                    observationDim);
            System.arraycopy(rollout.actions, j * actionDim, actions, k * actionDim, actionDim);
            System.arraycopy(rollout.extras, j * extraWidth, extras, k * extraWidth, extraWidth);
            System.arraycopy(rollout.statistics, j * statisticWidth, oldStatistics, k * statisticWidth,
                    statisticWidth);
            advantages[k] = rollout.advantages[j];
            returns[k] = rollout.returns[j];
            values[k] = rollout.values[j];
        }
        if (normalizeAdvantages) {
            normalizeAdvantages(true);
        }
    }

    /**
     * Rescales the advantages to mean 0 and standard deviation 1.
     *
     * @param unbiased divide the squares by {@code n - 1} (torch.std, CleanRL) or by {@code n} (jnp.std, Brax)
     */
    void normalizeAdvantages(boolean unbiased) {
        if (size < 2) {
            return;
        }
        double sum = 0;
        for (int k = 0; k < size; k++) {
            sum += advantages[k];
        }
        double mean = sum / size;
        double squares = 0;
        for (int k = 0; k < size; k++) {
            double d = advantages[k] - mean;
            squares += d * d;
        }
        double std = Math.sqrt(squares / (unbiased ? size - 1 : size));
        for (int k = 0; k < size; k++) {
            advantages[k] = (float) ((advantages[k] - mean) / (std + 1e-8));
        }
    }
}
