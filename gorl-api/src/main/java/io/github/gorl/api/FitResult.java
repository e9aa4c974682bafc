package io.github.gorl.api;

/**
 * The outcome of one {@link GenerativeDecoder#fit}.
 *
 * @param epochs the epochs run
 * @param trainLoss the mean training loss of the last epoch
 * @param validationLoss the validation loss after the last epoch
 * @param bestValidationLoss the best validation loss; its parameters are the ones kept
 * @param stoppedEarly whether early stopping ended training before the epoch budget
 */
public record FitResult(int epochs, double trainLoss, double validationLoss, double bestValidationLoss,
        boolean stoppedEarly) {}
