package io.github.gorl.core;

/**
 * Where the source points {@code eps} of a decoder refit come from ({@link GoRL.Builder#decoderSource}).
 *
 * <p>The paper trains the decoder from the fixed prior: it learns to map {@code eps ~ N(0, I)}, drawn
 * independently of the action, to the current policy's actions, so that the encoder, reset to {@code N(0, I)}
 * afterwards, continues the same policy. {@link #ENCODER} and {@link #LEARNED_PRIOR} are the paper's ablations of
 * that choice.
 */
public enum DecoderSource {

    /** {@code eps ~ N(0, I)}, fresh draws independent of the action: the paper's method (the default). */
    PRIOR,

    /**
     * The latent {@code eps ~ pi_theta(.|s)} that the encoder sampled and the old decoder turned into each recorded
     * action: the decoder learns the pairing the encoder used, not a map from the prior (an ablation).
     */
    ENCODER,

    /**
     * The paper's learnable-prior ablation: instead of the fixed {@code N(0, I)}, a state-conditional diagonal
     * Gaussian {@code p_psi(eps|s) = N(mu_psi(s), diag sigma_psi(s)^2)} (a small MLP, {@code N(0, I)} at the start)
     * is fitted by maximum likelihood to the encoder's latents at each refit, and the decoder learns to map samples
     * of it, drawn independently of the action, to the actions. The trainer wraps the decoder as
     * {@code g(s, mu_psi(s) + sigma_psi(s) eps')}, so the encoder, reset to and regularized towards {@code N(0, I)}
     * in {@code eps'}, is reset to and regularized towards {@code p_psi} in {@code eps}; checkpoints hold the prior.
     * See docs/ablations.md.
     */
    LEARNED_PRIOR
}
