package io.github.gorl.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A schedule whose stages are fixed in advance: stage {@code k} first refines the decoder for
 * {@link Stage#decoderEpochs()} epochs on rollouts of the composed policy (skipped for {@code k = 0}, which starts
 * from the identity decoder), resets the encoder to the prior, then optimizes the latent policy for
 * {@link Stage#encoderSteps()} environment steps. Built by {@link StageSchedule#of}, {@link StageSchedule#paper()},
 * {@link StageSchedule#scaled} and {@link StageSchedule#single}; it never ends an encoder phase early.
 *
 * <p>Immutable: every {@code with...} method returns a new schedule.
 */
public final class FixedSchedule implements StageSchedule {

    private static final long[] PAPER_STEPS = {60_000_000L, 60_000_000L, 30_000_000L, 30_000_000L};

    private final List<Stage> stages;

    private FixedSchedule(List<Stage> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one stage, got none");
        }
        if (stages.get(0).decoderEpochs() != 0) {
            throw new IllegalArgumentException("stage 0 starts from the identity decoder, so its decoderEpochs"
                    + " must be 0, got " + stages.get(0).decoderEpochs());
        }
        this.stages = Collections.unmodifiableList(new ArrayList<>(stages));
    }

    /**
     * A schedule from explicit stages.
     *
     * @param stages the stages in order, at least one; stage 0 must have {@code decoderEpochs == 0}
     * @return the schedule
     */
    static FixedSchedule of(List<Stage> stages) {
        Validate.notNull("stages", stages);
        return new FixedSchedule(stages);
    }

    /**
     * A schedule with the given encoder steps per stage and the paper's per-stage knobs: stage 0 uses
     * clip 0.15, grad-norm 0.5, beta 5e-4; later stages clip 0.3, grad-norm 1.0, beta 1e-3, each preceded
     * by 50 decoder epochs.
     *
     * @param encoderSteps environment steps per stage, each {@code > 0}, at least one
     * @return the schedule
     */
    static FixedSchedule of(long... encoderSteps) {
        Validate.notNull("encoderSteps", encoderSteps);
        if (encoderSteps.length == 0) {
            throw new IllegalArgumentException("a schedule needs at least one stage, got no encoder steps");
        }
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < encoderSteps.length; i++) {
            list.add(StageSchedule.paperStage(i, encoderSteps[i]));
        }
        return new FixedSchedule(list);
    }

    /**
     * The paper's schedule: 60M, 60M, 30M, 30M encoder steps (180M in all) with the paper's knobs.
     *
     * @return the schedule
     */
    static FixedSchedule paper() {
        return of(PAPER_STEPS);
    }

    /**
     * The paper's schedule shrunk to {@code totalSteps}, keeping its 60/60/30/30 proportions and knobs.
     *
     * @param totalSteps the total encoder steps, {@code >= 4}
     * @return the schedule
     */
    static FixedSchedule scaled(long totalSteps) {
        if (totalSteps < PAPER_STEPS.length) {
            throw new IllegalArgumentException("totalSteps must be >= " + PAPER_STEPS.length
                    + " to give every stage a step, got " + totalSteps);
        }
        long paperTotal = 0;
        for (long s : PAPER_STEPS) {
            paperTotal += s;
        }
        long[] steps = new long[PAPER_STEPS.length];
        long assigned = 0;
        for (int i = 0; i < steps.length; i++) {
            steps[i] = Math.max(1, Math.round((double) totalSteps * PAPER_STEPS[i] / paperTotal));
            assigned += steps[i];
        }
        steps[steps.length - 1] = Math.max(1, steps[steps.length - 1] + totalSteps - assigned);
        return of(steps);
    }

    /**
     * One stage with no decoder refinement: with the identity decoder and {@code klBeta = 0} this is plain
     * Gaussian PPO, the paper's baseline.
     *
     * @param encoderSteps the environment steps, {@code > 0}
     * @param klBeta the KL weight, {@code >= 0}
     * @return the schedule
     */
    static FixedSchedule single(long encoderSteps, double klBeta) {
        return new FixedSchedule(List.of(
                new Stage(encoderSteps, 0, klBeta, LATER_STAGE_CLIP, LATER_STAGE_GRAD_NORM)));
    }

    /**
     * Sets the decoder epochs of every stage after the first.
     *
     * @param epochs the epochs per refinement, {@code >= 0}
     * @return a new schedule
     */
    public FixedSchedule decoderEpochs(int epochs) {
        Validate.nonNegative("decoderEpochs", epochs);
        return map((i, s) -> i == 0 ? s : s.withDecoderEpochs(epochs));
    }

    /**
     * Freezes the decoder after stage {@code stage}: every later stage gets 0 decoder epochs, so the decoder used
     * in stage {@code stage} (the identity for {@code stage = 0}) is kept to the end, and the encoder keeps learning
     * on it across the later stage boundaries without being reset to the prior (the paper's frozen-decoder
     * ablation). Stages up to {@code stage} keep their epochs; {@code stage >= size() - 1} changes nothing.
     *
     * @param stage the last stage whose decoder refit runs, {@code >= 0}
     * @return a new schedule
     */
    public FixedSchedule freezeDecoderAfter(int stage) {
        Validate.nonNegative("freezeDecoderAfter", stage);
        return map((i, s) -> i <= stage ? s : s.withDecoderEpochs(0));
    }

    /**
     * Sets the KL weight of every stage.
     *
     * @param beta the weight, {@code >= 0}
     * @return a new schedule
     */
    public FixedSchedule klBeta(double beta) {
        Validate.nonNegative("klBeta", beta);
        return map((i, s) -> s.withKlBeta(beta));
    }

    /**
     * Replaces one stage.
     *
     * @param index the stage index, in {@code [0, size)}
     * @param change maps the old stage to the new one
     * @return a new schedule
     */
    public FixedSchedule withStage(int index, UnaryOperator<Stage> change) {
        Validate.inRange("stage index", index, 0, stages.size() - 1);
        return map((i, s) -> i == index ? change.apply(s) : s);
    }

    private interface IndexedStageMap {
        Stage apply(int index, Stage stage);
    }

    private FixedSchedule map(IndexedStageMap f) {
        List<Stage> list = new ArrayList<>(stages.size());
        for (int i = 0; i < stages.size(); i++) {
            list.add(f.apply(i, stages.get(i)));
        }
        return new FixedSchedule(list);
    }

    /**
     * The stages in order.
     *
     * @return an unmodifiable list, never empty
     */
    public List<Stage> stages() {
        return stages;
    }

    /**
     * The number of stages.
     *
     * @return {@code >= 1}
     */
    public int size() {
        return stages.size();
    }

    /**
     * One stage.
     *
     * @param index the stage index, in {@code [0, size)}
     * @return the stage
     */
    public Stage stage(int index) {
        Validate.inRange("stage index", index, 0, stages.size() - 1);
        return stages.get(index);
    }

    /**
     * The sum of the encoder steps of all stages.
     *
     * @return the total environment steps of latent-policy optimization
     */
    public long totalEncoderSteps() {
        long total = 0;
        for (Stage s : stages) {
            total += s.encoderSteps();
        }
        return total;
    }

    /**
     * Stage {@code run.stage()} of the list, or the end after the last.
     *
     * @param run the run so far
     * @return the stage, or empty after the last one
     */
    @Override
    public Optional<Stage> next(TrainingProgress run) {
        return run.stage() < stages.size() ? Optional.of(stages.get(run.stage())) : Optional.empty();
    }

    /**
     * The sum of the stages' encoder steps, which a fixed schedule spends exactly.
     *
     * @return {@link #totalEncoderSteps()}
     */
    @Override
    public long maxEncoderSteps() {
        return totalEncoderSteps();
    }

    /**
     * The number of stages.
     *
     * @return {@link #size()}
     */
    @Override
    public int maxStages() {
        return stages.size();
    }

    /**
     * {@code {"type": "fixed", "stages": [{encoderSteps, decoderEpochs, klBeta, clip, gradNormClip}, ...]}}.
     *
     * @return the configuration
     */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "fixed");
        m.put("stages", stages.stream().map(Stage::toMap).toList());
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FixedSchedule s && stages.equals(s.stages);
    }

    @Override
    public int hashCode() {
        return stages.hashCode();
    }

    @Override
    public String toString() {
        return "FixedSchedule" + stages;
    }
}
