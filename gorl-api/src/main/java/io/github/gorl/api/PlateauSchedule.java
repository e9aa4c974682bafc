package io.github.gorl.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An adaptive schedule: an encoder phase ends when its evaluation return has stopped improving, rather than after a
 * fixed number of steps, so the decoder is refit when the encoder has got what it can out of the current decoder.
 *
 * <p>Stage {@code k} has the paper's knobs ({@link StageSchedule#paperStage}, with {@link Builder#decoderEpochs}
 * epochs per refit) and at most {@link Builder#stageSteps} encoder steps. After each evaluation in its encoder phase,
 * with {@code R_1 .. R_n} the mean returns of the stage's evaluations so far (the first one is taken right after
 * the stage's refit, or at step 0), the phase ends when {@code n > K} and
 * <pre>
 *   max(R_{n-K+1} .. R_n) - max(R_1 .. R_{n-K}) &lt;= delta
 * </pre>
 * that is, when the last {@code K = patience} evaluations improved on the best before them by no more than
 * {@code delta = minImprovement}, and at least {@link Builder#minStageSteps} steps of the stage have run. Training
 * ends after {@link Builder#maxStages} stages, or when {@link Builder#totalSteps} encoder steps are spent (the last
 * stage is shortened to fit).
 *
 * <p>The decision depends only on the {@link TrainingProgress}, so checkpoints resume exactly. Immutable.
 *
 * <pre>{@code
 * StageSchedule schedule = PlateauSchedule.builder()
 *     .maxStages(4).stageSteps(150_000).totalSteps(400_000)
 *     .patience(3).minImprovement(5.0)
 *     .build();
 * }</pre>
 */
public final class PlateauSchedule implements StageSchedule {

    private final int maxStages;
    private final long stageSteps;
    private final long totalSteps;
    private final long minStageSteps;
    private final int patience;
    private final double minImprovement;
    private final int decoderEpochs;

    private PlateauSchedule(Builder b) {
        this.maxStages = b.maxStages;
        this.stageSteps = b.stageSteps;
        this.totalSteps = b.totalSteps;
        this.minStageSteps = b.minStageSteps;
        this.patience = b.patience;
        this.minImprovement = b.minImprovement;
        this.decoderEpochs = b.decoderEpochs;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the defaults: 4 stages, patience 3, improvement 0, 50 decoder epochs, no minimum
     *     stage length; {@code stageSteps} is required
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<Stage> next(TrainingProgress run) {
        long left = totalSteps - run.envSteps();
        if (run.stage() >= maxStages || left <= 0) {
            return Optional.empty();
        }
        Stage paper = StageSchedule.paperStage(run.stage(), Math.min(stageSteps, left));
        return Optional.of(run.stage() == 0 ? paper : new Stage(paper.encoderSteps(), decoderEpochs,
                paper.klBeta(), paper.clip(), paper.gradNormClip()));
    }

    @Override
    public boolean endEncoderPhase(TrainingProgress run) {
        if (run.stageSteps() < minStageSteps) {
            return false;
        }
        List<Evaluation> evaluations = run.stageEvaluations();
        int n = evaluations.size();
        if (n <= patience) {
            return false;
        }
        double bestBefore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n - patience; i++) {
            bestBefore = Math.max(bestBefore, evaluations.get(i).meanReturn());
        }
        double bestRecent = Double.NEGATIVE_INFINITY;
        for (int i = n - patience; i < n; i++) {
            bestRecent = Math.max(bestRecent, evaluations.get(i).meanReturn());
        }
        return bestRecent - bestBefore <= minImprovement;
    }

    @Override
    public long maxEncoderSteps() {
        // min(totalSteps, maxStages * stageSteps) without overflow.
        return stageSteps > totalSteps / maxStages ? totalSteps : maxStages * stageSteps;
    }

    @Override
    public int maxStages() {
        return maxStages;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "plateau");
        m.put("maxStages", maxStages);
        m.put("stageSteps", stageSteps);
        m.put("totalSteps", totalSteps);
        m.put("minStageSteps", minStageSteps);
        m.put("patience", patience);
        m.put("minImprovement", minImprovement);
        m.put("decoderEpochs", decoderEpochs);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlateauSchedule p && config().equals(p.config());
    }

    @Override
    public int hashCode() {
        return config().hashCode();
    }

    @Override
    public String toString() {
        return "PlateauSchedule" + config();
    }

    /** Configures a {@link PlateauSchedule}; every setter validates its argument and names it when it throws. */
    public static final class Builder {
        private int maxStages = 4;
        private long stageSteps = -1;
        private long totalSteps = Long.MAX_VALUE;
        private long minStageSteps;
        private int patience = 3;
        private double minImprovement;
        private int decoderEpochs = PAPER_DECODER_EPOCHS;

        private Builder() {}

        /**
         * The most stages, the first included (default 4, as the paper's schedule).
         *
         * @param count {@code >= 1}
         * @return this builder
         */
        public Builder maxStages(int count) {
            this.maxStages = Validate.positive("maxStages", count);
            return this;
        }

        /**
         * The encoder steps of a stage whose return never plateaus (required).
         *
         * @param steps {@code > 0}
         * @return this builder
         */
        public Builder stageSteps(long steps) {
            this.stageSteps = Validate.positive("stageSteps", steps);
            return this;
        }

        /**
         * The encoder steps of the whole run (default: no cap beyond {@code maxStages * stageSteps}).
         *
         * @param steps {@code > 0}
         * @return this builder
         */
        public Builder totalSteps(long steps) {
            this.totalSteps = Validate.positive("totalSteps", steps);
            return this;
        }

        /**
         * The encoder steps a stage runs before a plateau may end it (default 0).
         *
         * @param steps {@code >= 0}
         * @return this builder
         */
        public Builder minStageSteps(long steps) {
            this.minStageSteps = Validate.nonNegative("minStageSteps", steps);
            return this;
        }

        /**
         * {@code K}: the evaluations in a row that must fail to improve on the stage's best before them (default 3).
         *
         * @param evaluations {@code >= 1}
         * @return this builder
         */
        public Builder patience(int evaluations) {
            this.patience = Validate.positive("patience", evaluations);
            return this;
        }

        /**
         * {@code delta}: a gain in mean evaluation return must exceed it to count as an improvement (default 0: any
         * gain counts).
         *
         * @param returnGain finite, {@code >= 0}
         * @return this builder
         */
        public Builder minImprovement(double returnGain) {
            this.minImprovement = Validate.nonNegative("minImprovement", returnGain);
            return this;
        }

        /**
         * The decoder epochs of each refit after stage 0 (default 50, the paper's).
         *
         * @param epochs {@code >= 0}; 0 keeps the decoder and the encoder across stage boundaries
         * @return this builder
         */
        public Builder decoderEpochs(int epochs) {
            this.decoderEpochs = (int) Validate.nonNegative("decoderEpochs", epochs);
            return this;
        }

        /**
         * Validates the options and creates the schedule.
         *
         * @return the schedule
         * @throws IllegalArgumentException if {@code stageSteps} is missing or {@code minStageSteps > stageSteps}
         */
        public PlateauSchedule build() {
            if (stageSteps < 0) {
                throw new IllegalArgumentException("stageSteps is required: call stageSteps(long), the encoder steps"
                        + " of a stage whose return never plateaus");
            }
            if (minStageSteps > stageSteps) {
                throw new IllegalArgumentException("minStageSteps must be <= stageSteps = " + stageSteps + ", got "
                        + minStageSteps);
            }
            return new PlateauSchedule(this);
        }
    }
}
