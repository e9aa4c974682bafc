package io.github.gorl.decoders;

/**
 * The angular frequencies of the MLP decoders' sinusoidal time embedding {@code [cos(w_k t), sin(w_k t)]},
 * {@code k = 0 .. timeEmbeddingDim / 2 - 1}. The choice changes what the network sees, so it is part of a decoder's
 * configuration and of its saved files.
 */
public enum TimeFrequencies {

    /**
     * {@code w_k = pi * 2^k}: the lowest frequency makes half a turn over {@code t in [0, 1]}, so {@code t = 0} and
     * {@code t = 1} are far apart in every component. This library's default.
     */
    PI_POWERS_OF_TWO,

    /**
     * {@code w_k = 2^k}, without {@code pi}: the authors' {@code embed_timestep} (GoRL {@code
     * src/gorl/algorithms/decoders.py}), used by both their flow-matching and diffusion decoders.
     */
    POWERS_OF_TWO
}
