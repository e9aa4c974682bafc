package io.github.gorl.core.optim.ppo;

/** Preallocated rows of one minibatch, gathered from a {@link Rollout} in a shuffled order. */
final class Minibatch {

    private final int observationDim;
    private final int latentDim;
    final float[] observations;
    final float[] latents;
    final float[] logProbabilities;
    final float[] advantages;
    final float[] returns;
    final float[] values;
    int size;

    Minibatch(int capacity, int observationDim, int latentDim) {
        this.observationDim = observationDim;
        this.latentDim = latentDim;
        observations = new float[capacity * observationDim];
        latents = new float[capacity * latentDim];
        logProbabilities = new float[capacity];
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
            System.arraycopy(rollout.latents, j * latentDim, latents, k * latentDim, latentDim);
            logProbabilities[k] = rollout.logProbabilities[j];
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
