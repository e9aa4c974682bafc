package io.github.gorl.core;

/**
 * Where the source points {@code eps} of a decoder refit come from ({@link GoRL.Builder#decoderSource}).
 *
 * <p>The paper trains the decoder from the fixed prior: it learns to map {@code eps ~ N(0, I)}, drawn
 * independently of the action, to the current policy's actions, so that the encoder, reset to {@code N(0, I)}
 * afterwards, continues the same policy. {@link #ENCODER} is the paper's ablation of that choice.
 */
public enum DecoderSource {

    /** {@code eps ~ N(0, I)}, fresh draws independent of the action: the paper's method (the default). */
    PRIOR,

    /**
     * The latent {@code eps ~ pi_theta(.|s)} that the encoder sampled and the old decoder turned into each recorded
     * action: the decoder learns the pairing the encoder used, not a map from the prior (an ablation).
     */
    ENCODER
}
