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

    private final int dataSize;
    private final double topEpisodeFraction;
    private final int batchSize;
    private final double learningRate;
    private final int samplesPerAction;
    private final double validationFraction;
    private final int patience;
    private final int minUpdates;

    private DecoderRefit(Builder b) {
        this.dataSize = b.dataSize;
        this.topEpisodeFraction = b.topEpisodeFraction;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.samplesPerAction = b.samplesPerAction;
        this.validationFraction = b.validationFraction;
        this.patience = b.patience;
        this.minUpdates = b.minUpdates;
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
        return new FitOptions(epochs, learningRate, batchSize, samplesPerAction, validationFraction, patience, seed,
                minUpdates);
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
        private double learningRate = 3e-4;
        private int samplesPerAction = 8;
        private double validationFraction = 0.1;
        private int patience = 5;
        private int minUpdates = 2_000;

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
         * @param epochs epochs without improvement before stopping, {@code > 0}
         * @return this builder
         */
        public Builder earlyStopping(double fraction, int epochs) {
            this.validationFraction = Validate.inRange("validationFraction", fraction, 0, 0.5);
            this.patience = Validate.positive("patience", epochs);
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
