package io.github.gorl.core;

import io.github.gorl.api.FitOptions;
import io.github.gorl.api.Validate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the trainer refits the decoder between stages: how much data it collects from the composed policy, which of it
 * it keeps, and how the decoder trains on it. Immutable; set with {@link GoRL.Builder#decoderRefit} and built by
 * {@link #builder()}. The number of epochs is the stage's ({@link io.github.gorl.api.Stage#decoderEpochs()}).
 *
 * <pre>{@code
 * DecoderRefit refit = DecoderRefit.builder().dataSize(40_000).batchSize(1024).build();
 * }</pre>
 *
 * <p>Defaults: 100k pairs, all episodes kept, batch 8192 at learning rate 3e-4 with 8 {@code (eps, t)} draws per
 * pair, a 10% validation split with patience 5, and at least 2,000 minibatch updates per refit.
 */
public final class DecoderRefit {

    /** The decoder's Adam learning rate unless set: the paper's 3e-4. */
    static final double DEFAULT_LEARNING_RATE = 3e-4;

    /** The fewest Adam updates per refit unless set. */
    static final int DEFAULT_MIN_UPDATES = 2_000;

    private final int dataSize;
    private final double topEpisodeFraction;
    private final int batchSize;
    private final double learningRate;
    private final int samplesPerAction;
    private final double validationFraction;
    private final int patience;
    private final int minUpdates;
    private final int episodes;
    private final boolean collectFromBest;
    private final boolean freshDecoder;
    private final double targetClip;
    private final int trainSteps;
    private final int validationInterval;
    private final boolean splitByEpisode;
    private final FitOptions.Selection selection;

    private DecoderRefit(Builder b) {
        this.dataSize = b.dataSize;
        this.topEpisodeFraction = b.topEpisodeFraction;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.samplesPerAction = b.samplesPerAction;
        this.validationFraction = b.validationFraction;
        this.patience = b.patience;
        this.minUpdates = b.minUpdates;
        this.episodes = b.episodes;
        this.collectFromBest = b.collectFromBest;
        this.freshDecoder = b.freshDecoder;
        this.targetClip = b.targetClip;
        this.trainSteps = b.trainSteps;
        this.validationInterval = b.validationInterval;
        this.splitByEpisode = b.splitByEpisode;
        this.selection = b.selection;
    }

    /**
     * Starts a builder with the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults.
     *
     * @return {@code builder().build()}
     */
    public static DecoderRefit defaults() {
        return builder().build();
    }

    /**
     * A builder holding this refit's settings, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataSize = dataSize;
        b.topEpisodeFraction = topEpisodeFraction;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.samplesPerAction = samplesPerAction;
        b.validationFraction = validationFraction;
        b.patience = patience;
        b.minUpdates = minUpdates;
        b.episodes = episodes;
        b.collectFromBest = collectFromBest;
        b.freshDecoder = freshDecoder;
        b.targetClip = targetClip;
        b.trainSteps = trainSteps;
        b.validationInterval = validationInterval;
        b.splitByEpisode = splitByEpisode;
        b.selection = selection;
        return b;
    }

    /**
     * The {@code (s, a)} pairs collected for each refit.
     *
     * @return {@code > 0}
     */
    public int dataSize() {
        return dataSize;
    }

    /**
     * The rows of one refit train step: the minibatch of {@code (s, a)} pairs times the prior draws per pair. Its size
     * decides whether more compute threads pay ({@link GoRL.Builder#computeThreads}).
     *
     * @return {@code batchSize x samplesPerAction}
     */
    public long rowsPerStep() {
        return (long) batchSize * samplesPerAction;
    }

    /**
     * Whole stochastic episodes collected per refit instead of {@link #dataSize()} pairs.
     *
     * @return {@code > 0}, or 0 to collect {@code dataSize} pairs
     */
    public int episodes() {
        return episodes;
    }

    /**
     * Whether the data comes from the stage's best-evaluated encoder (a snapshot taken at each evaluation that
     * improved on the stage's best) instead of the encoder at the end of the stage.
     *
     * @return true for the best snapshot
     */
    public boolean collectFromBest() {
        return collectFromBest;
    }

    /**
     * Whether each refit starts from a freshly drawn decoder ({@code GenerativeDecoder.reinitialize}, last layer
     * zero) instead of the previous decoder.
     *
     * @return true for a fresh decoder
     */
    public boolean freshDecoder() {
        return freshDecoder;
    }

    /**
     * The bound on the stored pre-squash actions under {@code ActionSquashing.TANH}: targets are clipped to
     * {@code [-targetClip, targetClip]}; NaN for none. Clipped actions ({@code ActionSquashing.CLIP}) are stored as
     * executed and ignore it.
     *
     * @return {@code > 0} or NaN
     */
    public double targetClip() {
        return targetClip;
    }

    /**
     * The share of the collected episodes, best by return first, whose pairs are kept.
     *
     * @return in {@code (0, 1]}
     */
    public double topEpisodeFraction() {
        return topEpisodeFraction;
    }

    /**
     * The options of the decoder's {@code fit} for a stage's refit.
     *
     * @param epochs the stage's decoder epochs, {@code > 0}
     * @param seed the refit's seed
     * @return the options, with this refit's update floor
     */
    public FitOptions fitOptions(int epochs, long seed) {
        return FitOptions.builder().epochs(epochs).learningRate(learningRate).batchSize(batchSize)
                .samplesPerAction(samplesPerAction).validationFraction(validationFraction).patience(patience).seed(seed)
                .minUpdates(minUpdates).trainSteps(trainSteps).validationInterval(validationInterval)
                .splitByEpisode(splitByEpisode).selection(selection).build();
    }

    /**
     * The fixed minibatch steps of each refit.
     *
     * @return {@code > 0}, or 0 for the stage's epochs
     */
    public int trainSteps() {
        return trainSteps;
    }

    /**
     * The settings as {@code run.json} records them, under the trainer's names.
     *
     * @return {@code decoderDataSize, topEpisodeFraction, decoderBatchSize, decoderLearningRate,
     *     decoderSamplesPerAction, decoderValidationFraction, decoderPatience, decoderMinUpdates}
     */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("decoderDataSize", dataSize);
        m.put("topEpisodeFraction", topEpisodeFraction);
        m.put("decoderBatchSize", batchSize);
        m.put("decoderLearningRate", learningRate);
        m.put("decoderSamplesPerAction", samplesPerAction);
        m.put("decoderValidationFraction", validationFraction);
        m.put("decoderPatience", patience);
        m.put("decoderMinUpdates", minUpdates);
        if (episodes > 0) {
            m.put("decoderEpisodes", episodes);
        }
        if (collectFromBest) {
            m.put("decoderDataFrom", "best");
        }
        if (freshDecoder) {
            m.put("decoderInit", "fresh");
        }
        if (!Double.isNaN(targetClip)) {
            m.put("decoderTargetClip", targetClip);
        }
        if (trainSteps > 0) {
            m.put("decoderTrainSteps", trainSteps);
            m.put("decoderValidationInterval", validationInterval);
        }
        if (splitByEpisode) {
            m.put("decoderSplit", "episode");
        }
        if (selection != FitOptions.Selection.VALIDATION_LOSS) {
            m.put("decoderSelection", selection.name());
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoderRefit r && toMap().equals(r.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "DecoderRefit" + toMap();
    }

    /** Configures a {@link DecoderRefit}; every setter validates its argument and names it when it throws. */
    public static final class Builder {
        private int dataSize = 100_000;
        private double topEpisodeFraction = 1.0;
        private int batchSize = 8192;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private int samplesPerAction = 8;
        private double validationFraction = 0.1;
        private int patience = 5;
        private int minUpdates = DEFAULT_MIN_UPDATES;
        private int episodes = 0;
        private boolean collectFromBest = false;
        private boolean freshDecoder = false;
        private double targetClip = Double.NaN;
        private int trainSteps = 0;
        private int validationInterval = FitOptions.DEFAULT_VALIDATION_INTERVAL;
        private boolean splitByEpisode = false;
        private FitOptions.Selection selection = FitOptions.Selection.VALIDATION_LOSS;

        private Builder() {}

        /**
         * The number of {@code (s, a)} pairs collected for each refit (default 100k; the paper: up to 10M).
         *
         * @param pairs {@code > 0}
         * @return this builder
         */
        public Builder dataSize(int pairs) {
            this.dataSize = Validate.positive("dataSize", pairs);
            return this;
        }

        /**
         * Keeps only the pairs of the best episodes (by return); 1.0 (the default) keeps all.
         *
         * @param fraction the share of episodes kept, in {@code (0, 1]}
         * @return this builder
         */
        public Builder topEpisodeFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("topEpisodeFraction must be in (0, 1], got " + fraction);
            }
            this.topEpisodeFraction = fraction;
            return this;
        }

        /**
         * The decoder's minibatch size (default 8192, the paper's).
         *
         * @param size pairs per step, {@code > 0}
         * @return this builder
         */
        public Builder batchSize(int size) {
            this.batchSize = Validate.positive("batchSize", size);
            return this;
        }

        /**
         * The decoder's Adam learning rate (default 3e-4, the paper's).
         *
         * @param lr {@code > 0}
         * @return this builder
         */
        public Builder learningRate(double lr) {
            this.learningRate = Validate.positive("learningRate", lr);
            return this;
        }

        /**
         * Monte-Carlo {@code (eps, t)} draws per pair and step of decoder training (default 8, the paper's).
         *
         * @param samples {@code > 0}
         * @return this builder
         */
        public Builder samplesPerAction(int samples) {
            this.samplesPerAction = Validate.positive("samplesPerAction", samples);
            return this;
        }

        /**
         * Early stopping: the held-out share and the patience in epochs (default 0.1 and 5).
         *
         * @param fraction the held-out share, in {@code [0, 0.5]}; 0 disables early stopping
         * @param epochs validations without improvement before stopping, {@code >= 0}; 0 never stops early (the
         *     reference: validate, keep the best, train the whole budget)
         * @return this builder
         */
        public Builder earlyStopping(double fraction, int epochs) {
            this.validationFraction = Validate.inRange("validationFraction", fraction, 0, 0.5);
            this.patience = (int) Validate.nonNegative("patience", (long) epochs);
            return this;
        }

        /**
         * A fixed number of minibatch steps per refit (with replacement, as the reference's flow-matching refits:
         * 50,000) instead of the stage's epochs; validation then runs every {@link #validationInterval} steps.
         *
         * @param steps {@code > 0}, or 0 (the default) for the stage's epochs
         * @return this builder
         */
        public Builder trainSteps(int steps) {
            this.trainSteps = (int) Validate.nonNegative("trainSteps", (long) steps);
            return this;
        }

        /**
         * Steps between validations of a fixed-step refit (the reference: 100).
         *
         * @param steps {@code > 0}
         * @return this builder
         */
        public Builder validationInterval(int steps) {
            this.validationInterval = Validate.positive("validationInterval", steps);
            return this;
        }

        /**
         * Holds out whole episodes instead of single pairs (the reference's newer code); needs
         * {@link #episodes(int)}, which records each pair's episode.
         *
         * @param enabled default false
         * @return this builder
         */
        public Builder splitByEpisode(boolean enabled) {
            this.splitByEpisode = enabled;
            return this;
        }

        /**
         * The validation metric that picks the decoder kept: the validation loss (default) or the endpoint MSE of
         * {@code decode(s, eps ~ N(0, I))} against the action (the reference's FingerSpin and FishSwim flow-matching
         * refits).
         *
         * @param metric the metric
         * @return this builder
         */
        public Builder selection(FitOptions.Selection metric) {
            this.selection = Validate.notNull("selection", metric);
            return this;
        }

        /**
         * Collects this many whole stochastic episodes per refit (the reference: 4,096 on 64 envs) instead of
         * {@link #dataSize(int)} pairs; each pair then knows its episode, for splitting by episode.
         *
         * @param count {@code > 0}, or 0 (the default) to collect {@code dataSize} pairs
         * @return this builder
         */
        public Builder episodes(int count) {
            this.episodes = (int) Validate.nonNegative("episodes", (long) count);
            return this;
        }

        /**
         * Collects the data with the stage's best-evaluated encoder (the reference's {@code best_agent}), kept as a
         * snapshot in memory and in checkpoints, instead of the encoder at the end of the stage. The next stage's
         * encoder then starts from that snapshot too ({@code EncoderInit.WARM_START}, {@code PRIOR_WARM_VALUE}).
         *
         * @param enabled default false
         * @return this builder
         */
        public Builder collectFromBest(boolean enabled) {
            this.collectFromBest = enabled;
            return this;
        }

        /**
         * Starts each refit from a freshly drawn decoder whose last layer is zero (the reference's
         * {@code initialization = "fresh"}) instead of warm-starting from the previous decoder.
         *
         * @param enabled default false
         * @return this builder
         */
        public Builder freshDecoder(boolean enabled) {
            this.freshDecoder = enabled;
            return this;
        }

        /**
         * Clips the stored pre-squash action targets to {@code [-bound, bound]} under {@code ActionSquashing.TANH}
         * (the reference: 3.0, off for HopperStand with flow matching).
         *
         * @param bound {@code > 0}, or NaN (the default) for none
         * @return this builder
         */
        public Builder targetClip(double bound) {
            if (!Double.isNaN(bound)) {
                Validate.positive("targetClip", bound);
            }
            this.targetClip = bound;
            return this;
        }

        /**
         * The fewest minibatch updates a refit takes (default 2,000; 0 keeps the stage's epochs as they are). When
         * {@code ceil(training pairs / batchSize) * stage epochs} is smaller, the decoder raises its epoch budget to
         * reach it ({@link FitOptions#epochBudget}); early stopping still applies. The paper's refit (50 epochs over
         * up to 10M pairs, batch 8192) takes about 61,000 updates, so this only binds on reduced data sets, where
         * too few updates left the decoder far from the policy it must reproduce and the policy was lost at the
         * refit (measured in docs/decoders.md).
         *
         * @param updates {@code >= 0}
         * @return this builder
         */
        public Builder minUpdates(int updates) {
            this.minUpdates = (int) Validate.nonNegative("minUpdates", updates);
            return this;
        }

        /**
         * Creates the immutable settings.
         *
         * @return the settings
         */
        public DecoderRefit build() {
            return new DecoderRefit(this);
        }
    }
}
