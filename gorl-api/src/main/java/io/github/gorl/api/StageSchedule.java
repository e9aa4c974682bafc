package io.github.gorl.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides GoRL's stages as training goes: the third pluggable part, beside {@link LatentPolicyOptimizer} and
 * {@link GenerativeDecoder}.
 *
 * <p>The trainer asks {@link #next} at every stage boundary (once before stage 0, then each time an encoder phase
 * ends) for the stage to run, or for the end of training. A stage first refines the decoder for
 * {@link Stage#decoderEpochs()} epochs (never in stage 0, which starts from the identity decoder; a later stage with
 * 0 epochs keeps the decoder and the encoder as they are), resets the encoder to the prior after a refit, then
 * optimizes the latent policy for at most {@link Stage#encoderSteps()} env steps with the stage's knobs. After
 * every evaluation inside an encoder phase the trainer asks {@link #endEncoderPhase} whether to end that phase
 * early. Both questions get a read-only {@link TrainingProgress}: the stages so far, env steps, evaluations, the
 * last refit's losses and the latent policy's KL to the prior.
 *
 * <p>Built-ins: the fixed schedules of {@link #of(long...)}, {@link #paper()}, {@link #scaled} and {@link #single}
 * (a {@link FixedSchedule}, whose {@code with...} methods change the stages' knobs), and the adaptive
 * {@link PlateauSchedule}, which ends an encoder phase when the evaluation return stops improving.
 *
 * <p><b>Writing one.</b> Decide from the {@link TrainingProgress} alone, without state of your own: a checkpoint
 * holds the progress (stages, evaluations, refit losses, KL), so a resumed run asks the same questions with the
 * same views and gets the same answers, and exact resume holds for any such schedule. The trainer checks every
 * answer: stage 0 must have 0 decoder epochs, and a refit needs a decoder that can carry the policy across it.
 *
 * <pre>{@code
 * // Four stages of at most 200k steps; a phase ends once its return is within 5% of the task's target.
 * StageSchedule untilTarget = new StageSchedule() {
 *     public Optional<Stage> next(TrainingProgress run) {
 *         return run.stage() < 4 ? Optional.of(StageSchedule.paperStage(run.stage(), 200_000)) : Optional.empty();
 *     }
 *     public boolean endEncoderPhase(TrainingProgress run) {
 *         return run.lastEvaluation().map(e -> e.meanReturn() > -150).orElse(false);
 *     }
 *     public long maxEncoderSteps() { return 800_000; }
 *     public int maxStages() { return 4; }
 * };
 * }</pre>
 */
public interface StageSchedule {

    /** The paper's stage-0 PPO ratio clip. */
    double FIRST_STAGE_CLIP = 0.15;
    /** The paper's stage-0 gradient-norm clip. */
    double FIRST_STAGE_GRAD_NORM = 0.5;
    /** The paper's stage-0 KL weight. */
    double FIRST_STAGE_KL_BETA = 5e-4;
    /** The paper's PPO ratio clip after stage 0. */
    double LATER_STAGE_CLIP = 0.3;
    /** The paper's gradient-norm clip after stage 0. */
    double LATER_STAGE_GRAD_NORM = 1.0;
    /** The paper's KL weight after stage 0. */
    double LATER_STAGE_KL_BETA = 1e-3;
    /** The paper's decoder epochs per refinement. */
    int PAPER_DECODER_EPOCHS = 50;

    /**
     * The stage to run next, or the end of training. Called with {@code run.stage()} equal to the index of the stage
     * asked for (0 first) and {@code run.stages()} holding the stages run so far.
     *
     * @param run the run so far, read-only
     * @return the next stage, or empty to end training (an empty answer for stage 0 is an error)
     */
    Optional<Stage> next(TrainingProgress run);

    /**
     * Whether to end the current encoder phase now, before its {@link Stage#encoderSteps()} are spent. Called after
     * each evaluation inside an encoder phase (not after the evaluation that closes it), with {@code run.stage()}
     * the running stage and the new evaluation last in {@code run.evaluations()}. The default never ends early.
     *
     * @param run the run so far, read-only
     * @return true to end the encoder phase; the next call is then {@link #next}
     */
    default boolean endEncoderPhase(TrainingProgress run) {
        return false;
    }

    /**
     * An upper bound of the encoder env steps of the whole run: the progress bar's length and the base of the default
     * evaluation interval (1/20 of it).
     *
     * @return the bound, {@code > 0}
     */
    long maxEncoderSteps();

    /**
     * An upper bound of the number of stages, for progress displays.
     *
     * @return the bound, {@code >= 1}
     */
    int maxStages();

    /**
     * The configuration recorded in {@code run.json} and checkpoints; resuming a checkpoint needs a schedule with an
     * equal configuration. The default records the class name only: override it when the schedule has options.
     *
     * @return a map from option name to value (numbers, strings, booleans, lists and maps of them)
     */
    default Map<String, Object> config() {
        return Map.of("type", getClass().getName());
    }

    /**
     * A schedule from explicit stages.
     *
     * @param stages the stages in order, at least one; stage 0 must have {@code decoderEpochs == 0}
     * @return the schedule
     */
    static FixedSchedule of(List<Stage> stages) {
        return FixedSchedule.of(stages);
    }

    /**
     * A schedule with the given encoder steps per stage and the paper's per-stage knobs (see {@link #paperStage}):
     * stage 0 uses clip 0.15, grad-norm 0.5, beta 5e-4; later stages clip 0.3, grad-norm 1.0, beta 1e-3, each
     * preceded by 50 decoder epochs.
     *
     * @param encoderSteps environment steps per stage, each {@code > 0}, at least one
     * @return the schedule
     */
    static FixedSchedule of(long... encoderSteps) {
        return FixedSchedule.of(encoderSteps);
    }

    /**
     * The paper's schedule: 60M, 60M, 30M, 30M encoder steps (180M in all) with the paper's knobs.
     *
     * @return the schedule
     */
    static FixedSchedule paper() {
        return FixedSchedule.paper();
    }

    /**
     * The paper's schedule shrunk to {@code totalSteps}, keeping its 60/60/30/30 proportions and knobs.
     *
     * @param totalSteps the total encoder steps, {@code >= 4}
     * @return the schedule
     */
    static FixedSchedule scaled(long totalSteps) {
        return FixedSchedule.scaled(totalSteps);
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
        return FixedSchedule.single(encoderSteps, klBeta);
    }

    /**
     * Stage {@code index} with the paper's knobs: stage 0 without a refit and clip 0.15, grad-norm 0.5, beta 5e-4;
     * later stages 50 decoder epochs, clip 0.3, grad-norm 1.0, beta 1e-3.
     *
     * @param index the stage index, {@code >= 0}
     * @param encoderSteps the stage's encoder steps, {@code > 0}
     * @return the stage
     */
    static Stage paperStage(int index, long encoderSteps) {
        Validate.nonNegative("stage index", index);
        return index == 0
                ? new Stage(encoderSteps, 0, FIRST_STAGE_KL_BETA, FIRST_STAGE_CLIP, FIRST_STAGE_GRAD_NORM)
                : new Stage(encoderSteps, PAPER_DECODER_EPOCHS, LATER_STAGE_KL_BETA, LATER_STAGE_CLIP,
                        LATER_STAGE_GRAD_NORM);
    }
}
