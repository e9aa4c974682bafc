package io.github.gorl.core.optim;

import java.util.SplittableRandom;

/**
 * The independent random streams of a latent optimizer, split in this order from one root, so that a run with the
 * same seed and the same calls is reproducible and a {@code reseed} restarts every stream the same way.
 *
 * <p>Internal: shared by gorl-java's optimizers; not part of the stable API.
 *
 * @param reinit the seeds of re-drawn networks ({@code resetToPrior})
 * @param envSeeds the seeds of env resets
 * @param noise the sampling noise of rollouts
 * @param minibatches the minibatch order (PPO's shuffles, SAC's replay indices)
 * @param act the sampling noise of {@code act(obs, false)}
 */
public record RandomStreams(SplittableRandom reinit, SplittableRandom envSeeds, SplittableRandom noise,
        SplittableRandom minibatches, SplittableRandom act) {

    /**
     * Splits five streams off {@code root}, in the order of the record's components.
     *
     * @param root the source, advanced by five splits
     * @return the streams
     */
    public static RandomStreams split(SplittableRandom root) {
        SplittableRandom reinit = root.split();
        SplittableRandom envSeeds = root.split();
        SplittableRandom noise = root.split();
        SplittableRandom minibatches = root.split();
        SplittableRandom act = root.split();
        return new RandomStreams(reinit, envSeeds, noise, minibatches, act);
    }

    /**
     * The streams of a {@code reseed(seed)}: {@link #split} of a fresh root.
     *
     * @param seed the seed
     * @return the streams
     */
    public static RandomStreams of(long seed) {
        return split(new SplittableRandom(seed));
    }
}
