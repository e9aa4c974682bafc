package io.github.gorl.api;

/**
 * Options of one decoder refinement ({@link GenerativeDecoder#fit}). Defaults follow the paper: 50 epochs,
 * learning rate 3e-4, batch 8192, 8 {@code (eps, t)} samples per action, early stopping on a 10%
 * validation split with patience 5.
 *
 * <p>A decoder trained by minibatch steps runs {@link #epochBudget(int)} epochs at most: {@code epochs}, raised when
 * needed so that the refit takes at least {@code minUpdates} minibatch steps (the trainer's floor for small data
 * sets, see {@code GoRL}'s {@code DecoderRefit}). A decoder fitted in closed form, or not at all, ignores both.
 *
 * @param epochs the maximum number of passes over the training split, {@code > 0}
 * @param learningRate the Adam learning rate, {@code > 0}
 * @param batchSize pairs per gradient step, {@code > 0}
 * @param samplesPerAction Monte-Carlo {@code (eps, t)} draws per pair and step, {@code > 0}
 * @param validationFraction the share of pairs held out for early stopping, in {@code [0, 0.5]}; 0
 *     disables early stopping
 * @param patience epochs without validation improvement before stopping, {@code > 0}
 * @param seed seeds the split, the shuffles and the noise
 * @param minUpdates the fewest minibatch steps of the refit, {@code >= 0} (0: exactly {@code epochs})
 */
public record FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
        double validationFraction, int patience, long seed, int minUpdates) {

    /** Validates every field. */
    public FitOptions {
        Validate.positive("epochs", epochs);
        Validate.positive("learningRate", learningRate);
        Validate.positive("batchSize", batchSize);
        Validate.positive("samplesPerAction", samplesPerAction);
        Validate.inRange("validationFraction", validationFraction, 0.0, 0.5);
        Validate.positive("patience", patience);
        Validate.nonNegative("minUpdates", minUpdates);
    }

    /**
     * Options without an update floor ({@code minUpdates = 0}).
     *
     * @param epochs the maximum number of passes over the training split, {@code > 0}
     * @param learningRate the Adam learning rate, {@code > 0}
     * @param batchSize pairs per gradient step, {@code > 0}
     * @param samplesPerAction Monte-Carlo draws per pair and step, {@code > 0}
     * @param validationFraction the held-out share, in {@code [0, 0.5]}
     * @param patience epochs without validation improvement before stopping, {@code > 0}
     * @param seed seeds the split, the shuffles and the noise
     */
    public FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
            double validationFraction, int patience, long seed) {
        this(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience, seed, 0);
    }

    /**
     * The epochs a minibatch-trained decoder runs at most on {@code trainingPairs} training pairs: {@link #epochs()},
     * raised to {@code ceil(minUpdates / ceil(trainingPairs / batchSize))} when that is larger. Early stopping still
     * applies.
     *
     * @param trainingPairs the pairs of the training split (without the validation pairs), {@code >= 0}
     * @return the epoch budget, {@code >= epochs}
     */
    public int epochBudget(int trainingPairs) {
        Validate.nonNegative("trainingPairs", trainingPairs);
        long perEpoch = Math.max(1, ((long) trainingPairs + batchSize - 1) / batchSize);
        long needed = (minUpdates + perEpoch - 1) / perEpoch;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(epochs, needed));
    }

    /**
     * The paper's options with the given epochs.
     *
     * @param epochs the epoch budget, {@code > 0}
     * @return the options
     */
    public static FitOptions defaults(int epochs) {
        return new FitOptions(epochs, 3e-4, 8192, 8, 0.1, 5, 0);
    }

    /**
     * A copy with another batch size.
     *
     * @param size pairs per step, {@code > 0}
     * @return the new options
     */
    public FitOptions withBatchSize(int size) {
        return new FitOptions(epochs, learningRate, size, samplesPerAction, validationFraction, patience, seed,
                minUpdates);
    }

    /**
     * A copy with another learning rate.
     *
     * @param lr the Adam learning rate, {@code > 0}
     * @return the new options
     */
    public FitOptions withLearningRate(double lr) {
        return new FitOptions(epochs, lr, batchSize, samplesPerAction, validationFraction, patience, seed,
                minUpdates);
    }

    /**
     * A copy with another update floor.
     *
     * @param updates the fewest minibatch steps, {@code >= 0}
     * @return the new options
     */
    public FitOptions withMinUpdates(int updates) {
        return new FitOptions(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience, seed,
                updates);
    }

    /**
     * A copy with another seed.
     *
     * @param newSeed the seed
     * @return the new options
     */
    public FitOptions withSeed(long newSeed) {
        return new FitOptions(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience,
                newSeed, minUpdates);
    }
}
