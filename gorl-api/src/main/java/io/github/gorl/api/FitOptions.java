package io.github.gorl.api;

/**
 * Options of one decoder refinement ({@link GenerativeDecoder#fit}). Defaults follow the paper: 50 epochs,
 * learning rate 3e-4, batch 8192, 8 {@code (eps, t)} samples per action, early stopping on a 10%
 * validation split with patience 5.
 *
 * <p><b>Two budgets.</b> With {@code trainSteps == 0} (the default, "epoch mode") a decoder trained by minibatch
 * steps runs {@link #epochBudget(int)} epochs at most: {@code epochs}, raised when needed so that the refit takes at
 * least {@code minUpdates} minibatch steps (the trainer's floor for small data sets, see {@code GoRL}'s
 * {@code DecoderRefit}), and validates after every epoch. With {@code trainSteps > 0} ("step mode", the authors'
 * newer code) it takes exactly {@code trainSteps} minibatch steps, each of {@code batchSize} pairs drawn uniformly
 * <em>with replacement</em> from the training split, and validates before the first step, after the first, every
 * {@code validationInterval} steps and after the last; {@code epochs} and {@code minUpdates} are then ignored.
 * A decoder fitted in closed form, or not at all, ignores both budgets.
 *
 * <p><b>Selection.</b> In both modes the parameters of the best validation by {@code selection} are restored at the
 * end; {@code patience} validations without improvement stop training early, and {@code patience == 0} never
 * stops early (the authors' setting).
 *
 * <p>Build long option sets with {@link #builder()}; the constructors with 7 and 8 arguments keep the epoch mode.
 *
 * @param epochs the maximum number of passes over the training split, {@code > 0} (epoch mode)
 * @param learningRate the Adam learning rate, {@code > 0}
 * @param batchSize pairs per gradient step, {@code > 0}
 * @param samplesPerAction Monte-Carlo {@code (eps, t)} draws per pair and step, {@code > 0}
 * @param validationFraction the share of pairs (or, with {@code splitByEpisode}, of episodes) held out for
 *     selection and early stopping, in {@code [0, 0.5]}; 0 disables both
 * @param patience validations without improvement before stopping, {@code >= 0}; 0 never stops early
 * @param seed seeds the split, the shuffles and the noise
 * @param minUpdates the fewest minibatch steps of an epoch-mode refit, {@code >= 0} (0: exactly {@code epochs})
 * @param trainSteps the exact number of minibatch steps, {@code >= 0}; 0 selects the epoch mode
 * @param validationInterval steps between validations in step mode, {@code > 0} (the authors use 100)
 * @param splitByEpisode hold out whole episodes ({@link DecoderDataset#episodes()} must be set) instead of
 *     single pairs
 * @param selection the validation metric that picks the parameters kept, not null
 */
public record FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
        double validationFraction, int patience, long seed, int minUpdates, int trainSteps, int validationInterval,
        boolean splitByEpisode, Selection selection) {

    /** The default validation interval of step mode: the authors' {@code eval_interval = 100}. */
    public static final int DEFAULT_VALIDATION_INTERVAL = 100;

    /** The validation metric by which a fit picks the parameters it keeps. */
    public enum Selection {
        /** The decoder's training loss on the validation split, with fixed noise (the default). */
        VALIDATION_LOSS,
        /**
         * The endpoint error {@code mean((decode(s, eps) - a)^2)} over (up to 4,096 evenly spaced) validation pairs
         * with {@code eps ~ N(0, I)} drawn once per fit: the authors' {@code val_endpoint_mse}, which measures the
         * decoding map itself rather than its training objective.
         */
        ENDPOINT_MSE
    }

    /** Validates every field. */
    public FitOptions {
        Validate.positive("epochs", epochs);
        Validate.positive("learningRate", learningRate);
        Validate.positive("batchSize", batchSize);
        Validate.positive("samplesPerAction", samplesPerAction);
        Validate.inRange("validationFraction", validationFraction, 0.0, 0.5);
        Validate.nonNegative("patience", patience);
        Validate.nonNegative("minUpdates", minUpdates);
        Validate.nonNegative("trainSteps", trainSteps);
        Validate.positive("validationInterval", validationInterval);
        Validate.notNull("selection", selection);
    }

    /**
     * Epoch-mode options with an update floor.
     *
     * @param epochs the maximum number of passes over the training split, {@code > 0}
     * @param learningRate the Adam learning rate, {@code > 0}
     * @param batchSize pairs per gradient step, {@code > 0}
     * @param samplesPerAction Monte-Carlo draws per pair and step, {@code > 0}
     * @param validationFraction the held-out share, in {@code [0, 0.5]}
     * @param patience epochs without validation improvement before stopping, {@code >= 0}; 0 never stops early
     * @param seed seeds the split, the shuffles and the noise
     * @param minUpdates the fewest minibatch steps, {@code >= 0}
     */
    public FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
            double validationFraction, int patience, long seed, int minUpdates) {
        this(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience, seed, minUpdates, 0,
                DEFAULT_VALIDATION_INTERVAL, false, Selection.VALIDATION_LOSS);
    }

    /**
     * Epoch-mode options without an update floor ({@code minUpdates = 0}).
     *
     * @param epochs the maximum number of passes over the training split, {@code > 0}
     * @param learningRate the Adam learning rate, {@code > 0}
     * @param batchSize pairs per gradient step, {@code > 0}
     * @param samplesPerAction Monte-Carlo draws per pair and step, {@code > 0}
     * @param validationFraction the held-out share, in {@code [0, 0.5]}
     * @param patience epochs without validation improvement before stopping, {@code >= 0}; 0 never stops early
     * @param seed seeds the split, the shuffles and the noise
     */
    public FitOptions(int epochs, double learningRate, int batchSize, int samplesPerAction,
            double validationFraction, int patience, long seed) {
        this(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience, seed, 0);
    }

    /**
     * Whether this is a fixed-step refit ({@code trainSteps > 0}).
     *
     * @return {@code true} in step mode
     */
    public boolean stepMode() {
        return trainSteps > 0;
    }

    /**
     * The epochs a minibatch-trained decoder runs at most on {@code trainingPairs} training pairs in epoch mode:
     * {@link #epochs()}, raised to {@code ceil(minUpdates / ceil(trainingPairs / batchSize))} when that is larger.
     * Early stopping still applies.
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
     * A builder starting from {@link #defaults(int) defaults(50)}: epoch mode, 50 epochs, learning rate 3e-4, batch
     * 8192, 8 samples per action, 10% of pairs held out, patience 5, seed 0, validation interval 100, selection by
     * validation loss.
     *
     * <pre>{@code
     * // The authors' flow-matching refit: 50,000 steps, 10% of episodes held out, no early stop.
     * FitOptions options = FitOptions.builder().trainSteps(50_000).splitByEpisode(true).patience(0).build();
     * }</pre>
     *
     * @return a new builder
     */
    public static Builder builder() {
        return defaults(50).toBuilder();
    }

    /**
     * A builder holding these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A copy with another batch size.
     *
     * @param size pairs per step, {@code > 0}
     * @return the new options
     */
    public FitOptions withBatchSize(int size) {
        return toBuilder().batchSize(size).build();
    }

    /**
     * A copy with another learning rate.
     *
     * @param lr the Adam learning rate, {@code > 0}
     * @return the new options
     */
    public FitOptions withLearningRate(double lr) {
        return toBuilder().learningRate(lr).build();
    }

    /**
     * A copy with another update floor.
     *
     * @param updates the fewest minibatch steps, {@code >= 0}
     * @return the new options
     */
    public FitOptions withMinUpdates(int updates) {
        return toBuilder().minUpdates(updates).build();
    }

    /**
     * A copy with another seed.
     *
     * @param newSeed the seed
     * @return the new options
     */
    public FitOptions withSeed(long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    /**
     * A copy with another step budget.
     *
     * @param steps the exact number of minibatch steps, {@code >= 0}; 0 selects the epoch mode
     * @return the new options
     */
    public FitOptions withTrainSteps(int steps) {
        return toBuilder().trainSteps(steps).build();
    }

    /**
     * Fluent construction of {@link FitOptions}; each value is validated by {@link #build()}, which throws an
     * {@link IllegalArgumentException} naming the field and the value.
     */
    public static final class Builder {

        private int epochs;
        private double learningRate;
        private int batchSize;
        private int samplesPerAction;
        private double validationFraction;
        private int patience;
        private long seed;
        private int minUpdates;
        private int trainSteps;
        private int validationInterval;
        private boolean splitByEpisode;
        private Selection selection;

        private Builder(FitOptions from) {
            epochs = from.epochs;
            learningRate = from.learningRate;
            batchSize = from.batchSize;
            samplesPerAction = from.samplesPerAction;
            validationFraction = from.validationFraction;
            patience = from.patience;
            seed = from.seed;
            minUpdates = from.minUpdates;
            trainSteps = from.trainSteps;
            validationInterval = from.validationInterval;
            splitByEpisode = from.splitByEpisode;
            selection = from.selection;
        }

        /**
         * The epoch budget of epoch mode.
         *
         * @param value {@code > 0}
         * @return this builder
         */
        public Builder epochs(int value) {
            epochs = value;
            return this;
        }

        /**
         * The Adam learning rate.
         *
         * @param value {@code > 0}
         * @return this builder
         */
        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        /**
         * Pairs per gradient step.
         *
         * @param value {@code > 0}
         * @return this builder
         */
        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /**
         * Monte-Carlo draws per pair and step.
         *
         * @param value {@code > 0}
         * @return this builder
         */
        public Builder samplesPerAction(int value) {
            samplesPerAction = value;
            return this;
        }

        /**
         * The held-out share of pairs, or of episodes with {@link #splitByEpisode(boolean)}.
         *
         * @param value in {@code [0, 0.5]}; 0 disables validation
         * @return this builder
         */
        public Builder validationFraction(double value) {
            validationFraction = value;
            return this;
        }

        /**
         * Validations without improvement before stopping.
         *
         * @param value {@code >= 0}; 0 never stops early
         * @return this builder
         */
        public Builder patience(int value) {
            patience = value;
            return this;
        }

        /**
         * The seed of the split, the shuffles or draws and the noise.
         *
         * @param value any
         * @return this builder
         */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /**
         * The fewest minibatch steps of an epoch-mode refit.
         *
         * @param value {@code >= 0}
         * @return this builder
         */
        public Builder minUpdates(int value) {
            minUpdates = value;
            return this;
        }

        /**
         * The exact number of minibatch steps (step mode).
         *
         * @param value {@code >= 0}; 0 selects the epoch mode
         * @return this builder
         */
        public Builder trainSteps(int value) {
            trainSteps = value;
            return this;
        }

        /**
         * Steps between validations in step mode.
         *
         * @param value {@code > 0}
         * @return this builder
         */
        public Builder validationInterval(int value) {
            validationInterval = value;
            return this;
        }

        /**
         * Whether to hold out whole episodes instead of single pairs.
         *
         * @param value {@code true} to split by {@link DecoderDataset#episodes()}
         * @return this builder
         */
        public Builder splitByEpisode(boolean value) {
            splitByEpisode = value;
            return this;
        }

        /**
         * The validation metric that picks the parameters kept.
         *
         * @param value not null
         * @return this builder
         */
        public Builder selection(Selection value) {
            selection = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws IllegalArgumentException naming the first invalid field and its value
         */
        public FitOptions build() {
            return new FitOptions(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience,
                    seed, minUpdates, trainSteps, validationInterval, splitByEpisode, selection);
        }
    }
}
