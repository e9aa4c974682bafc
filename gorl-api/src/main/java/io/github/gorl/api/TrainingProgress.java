package io.github.gorl.api;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A read-only view of a GoRL run so far, given to a {@link StageSchedule} at every question it is asked. A
 * checkpoint holds everything here, so a resumed run shows a schedule the same views as the uninterrupted one.
 *
 * @param stage in {@link StageSchedule#next}: the index of the stage asked for; in
 *     {@link StageSchedule#endEncoderPhase}: the index of the running stage
 * @param envSteps the encoder env steps taken so far, over all stages
 * @param stageStartStep the env step at which the running stage's encoder phase began; equals {@code envSteps} in
 *     {@link StageSchedule#next}
 * @param stages the stages started so far, in order (the running one last, when there is one)
 * @param evaluations every evaluation so far, in order: at step 0, after each refit, every evaluation interval and
 *     at the end of each encoder phase
 * @param lastRefit the result of the latest decoder refit, empty before the first
 * @param klToPrior the latent policy's mean KL to the prior in the optimizer's latest update (its
 *     {@code kl_to_prior} metric), empty when the optimizer reports none or has not updated yet
 */
public record TrainingProgress(int stage, long envSteps, long stageStartStep, List<Stage> stages,
        List<Evaluation> evaluations, Optional<FitResult> lastRefit, OptionalDouble klToPrior) {

    /** Validates the fields and copies the lists. */
    public TrainingProgress {
        Validate.nonNegative("stage", stage);
        Validate.nonNegative("envSteps", envSteps);
        Validate.inRange("stageStartStep", (double) stageStartStep, 0, envSteps);
        stages = List.copyOf(Validate.notNull("stages", stages));
        evaluations = List.copyOf(Validate.notNull("evaluations", evaluations));
        Validate.notNull("lastRefit", lastRefit);
        Validate.notNull("klToPrior", klToPrior);
    }

    /**
     * The encoder env steps of the running stage so far.
     *
     * @return {@code envSteps - stageStartStep}
     */
    public long stageSteps() {
        return envSteps - stageStartStep;
    }

    /**
     * The evaluations labelled with stage {@link #stage()}: the one right after its refit (if any) and those of its
     * encoder phase so far.
     *
     * @return the evaluations, in order; empty in {@link StageSchedule#next} before the stage runs
     */
    public List<Evaluation> stageEvaluations() {
        return evaluations.stream().filter(e -> e.stage() == stage).toList();
    }

    /**
     * The latest evaluation.
     *
     * @return the evaluation, empty before the first
     */
    public Optional<Evaluation> lastEvaluation() {
        return evaluations.isEmpty() ? Optional.empty() : Optional.of(evaluations.get(evaluations.size() - 1));
    }
}
