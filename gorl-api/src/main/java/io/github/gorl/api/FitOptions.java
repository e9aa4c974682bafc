package io.github.gorl.api;

/**
 * Options of one decoder refinement ({@link GenerativeDecoder#fit}). Defaults follow the paper: 50 epochs,
 * learning rate 3e-4, batch 8192, 8 {@code (eps, t)} samples per action, early stopping on a 10%
 * validation split with patience 5.
 *
 * @param epochs the maximum number of passes over the training split, {@code > 0}
 * @param learningRate the Adam learning rate, {@code > 0}
 * @param batchSize pairs per gradient step, {@code > 0}
 * @param samplesPerAction Monte-Carlo {@code (eps, t)} draws per pair and step, {@code > 0}
 * @param validationFraction the share of pairs held out for early stopping, in {@code [0, 0.5]}; 0
 *     disables early stopping
 * @param patience epochs without validation improvement before stopping, {@code > 0}
 * @param seed seeds the split, the shuffles and the noise
 */
public record FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
        double validationFraction, int patience, long seed) {

    /** Validates every field. */
    public FitOptions {
        Validate.positive("epochs", epochs);
        Validate.positive("learningRate", learningRate);
        Validate.positive("batchSize", batchSize);
        Validate.positive("samplesPerAction", samplesPerAction);
        Validate.inRange("validationFraction", validationFraction, 0.0, 0.5);
        Validate.positive("patience", patience);
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
        return new FitOptions(epochs, learningRate, size, samplesPerAction, validationFraction, patience, seed);
    }

    /**
     * A copy with another learning rate.
     *
     * @param lr the Adam learning rate, {@code > 0}
     * @return the new options
     */
    public FitOptions withLearningRate(double lr) {
        return new FitOptions(epochs, lr, batchSize, samplesPerAction, validationFraction, patience, seed);
    }

    /**
     * A copy with another seed.
     *
     * @param newSeed the seed
     * @return the new options
     */
    public FitOptions withSeed(long newSeed) {
        return new FitOptions(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience,
                newSeed);
    }
}
