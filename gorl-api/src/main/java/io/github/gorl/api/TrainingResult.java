package io.github.gorl.api;

import java.util.List;

/**
 * What a finished training run reports.
 *
 * @param finalEvalReturn the mean return of the last evaluation
 * @param bestEvalReturn the best mean return over all evaluations
 * @param envSteps the environment steps taken by the encoder phases
 * @param wallSeconds the wall-clock duration of training
 * @param evaluations every evaluation in order (the learning curve)
 */
public record TrainingResult(double finalEvalReturn, double bestEvalReturn, long envSteps, double wallSeconds,
        List<Evaluation> evaluations) {

    /** Copies the evaluations into an unmodifiable list. */
    public TrainingResult {
        evaluations = List.copyOf(evaluations);
    }
}
