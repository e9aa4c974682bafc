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
    }

    /**
     * Copies rows {@code order[from..to)} of the rollout.
     *
     * @param normalizeAdvantages whether to rescale this minibatch's advantages to mean 0 and standard
     *     deviation 1: the surrogate's gradient scale then does not depend on the reward scale, so one
     *     learning rate serves every task
     */
    void gather(Rollout rollout, int[] order, int from, int to, boolean normalizeAdvantages) {
        size = to - from;
        double sum = 0;
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
            sum += advantages[k];
        }
        if (normalizeAdvantages && size > 1) {
            double mean = sum / size;
            double squares = 0;
            for (int k = 0; k < size; k++) {
                double d = advantages[k] - mean;
                squares += d * d;
            }
            double std = Math.sqrt(squares / (size - 1)); // unbiased, as torch.std in CleanRL
            for (int k = 0; k < size; k++) {
                advantages[k] = (float) ((advantages[k] - mean) / (std + 1e-8));
            }
        }
    }
}
