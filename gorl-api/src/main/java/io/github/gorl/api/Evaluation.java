package io.github.gorl.api;

/**
 * One deterministic evaluation of the composed policy (mean latent, decoded).
 *
 * @param step environment steps of training so far
 * @param stage the stage index
 * @param meanReturn the mean undiscounted episode return
 * @param stdReturn the standard deviation of the episode returns
 * @param episodes the number of episodes evaluated
 */
public record Evaluation(long step, int stage, double meanReturn, double stdReturn, int episodes) {}
