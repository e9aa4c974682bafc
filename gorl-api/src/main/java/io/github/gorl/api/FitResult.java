package io.github.gorl.api;

/**
 * The outcome of one {@link GenerativeDecoder#fit}.
 *
 * @param epochs the epochs run (epoch mode), or 0 for a fixed-step fit ({@link FitOptions#trainSteps()} {@code > 0})
 * @param trainLoss the mean training loss of the last epoch, or of the steps since the last-but-one validation
 * @param validationLoss the validation loss at the last validation (NaN without a validation split)
 * @param bestValidationLoss the validation loss of the kept parameters (the best by {@code selection}, which is the
 *     best validation loss when selecting by it); NaN without a validation split
 * @param stoppedEarly whether early stopping ended training before the budget
 * @param steps the minibatch steps taken
 * @param bestStep the step after which the kept parameters were validated (0: the parameters before training
 *     were the best), or -1 when nothing was validated and the last parameters were kept
 * @param selection the metric that picked the kept parameters, or {@code null} when nothing was validated
 * @param bestMetric that metric's value for the kept parameters; NaN when nothing was validated
 */
public record FitResult(int epochs, double trainLoss, double validationLoss, double bestValidationLoss,
        boolean stoppedEarly, long steps, long bestStep, FitOptions.Selection selection, double bestMetric) {

    /**
     * A result that reports no step counts or selection (a decoder that does not train by minibatch steps): steps 0,
     * best step -1, no selection, best metric {@code bestValidationLoss}.
     *
     * @param epochs the epochs run
     * @param trainLoss the mean training loss of the last epoch
     * @param validationLoss the validation loss after the last epoch
     * @param bestValidationLoss the best validation loss; its parameters are the ones kept
     * @param stoppedEarly whether early stopping ended training before the epoch budget
     */
    public FitResult(int epochs, double trainLoss, double validationLoss, double bestValidationLoss,
            boolean stoppedEarly) {
        this(epochs, trainLoss, validationLoss, bestValidationLoss, stoppedEarly, 0, -1, null, bestValidationLoss);
    }
}
