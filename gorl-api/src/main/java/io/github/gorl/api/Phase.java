package io.github.gorl.api;

/** The phase a GoRL stage is in. */
public enum Phase {
    /** The latent policy is optimized by RL while the decoder is frozen. */
    ENCODER,
    /** The decoder is refined by supervised generative training while the encoder is frozen. */
    DECODER,
    /** The composed policy is evaluated with the mean latent. */
    EVALUATION
}
