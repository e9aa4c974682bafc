package io.github.gorl.api;

/**
 * How the encoder (the latent policy and whatever its optimizer keeps beside it: critic, observation statistics, Adam)
 * starts a stage. The reference code chooses per decoder and task (REFERENCE.md row 6, {@code docs/fidelity.md}).
 *
 * <p>"The stage's best encoder" is the one the trainer restored before collecting the decoder's data (the
 * best-evaluated snapshot of the previous stage when the refit collects from it, else the last one).
 */
public enum EncoderInit {

    /**
     * The policy becomes exactly {@code N(0, I)} with fresh hidden layers; Adam is reset; the optimizer's own
     * switches say whether its critic and observation statistics are re-drawn ({@code resetToPrior()}). The library's
     * default.
     */
    PRIOR,

    /**
     * Everything is built afresh as at {@code initialize}: policy (randomly initialized, so not exactly
     * {@code N(0, I)}), critic, observation statistics and Adam. The reference's flow-matching stages.
     */
    FRESH,

    /**
     * Policy, critic and observation statistics continue from the previous stage's encoder; only Adam is new. The
     * reference's diffusion stages.
     */
    WARM_START,

    /**
     * The policy becomes exactly {@code N(0, I)} (fresh hidden layers); critic and observation statistics continue from
     * the previous stage's encoder; Adam is new. The reference's WalkerWalk flow-matching stages
     * ({@code gaussian_warm_value}).
     */
    PRIOR_WARM_VALUE
}
