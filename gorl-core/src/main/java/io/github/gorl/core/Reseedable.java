package io.github.gorl.core;

/**
 * An optimizer whose random state can be restarted from a seed, which makes a resumed run exact: at every
 * checkpoint {@link GoRL} calls {@link #reseed} with a seed derived from the run's seed and env step count, in the
 * uninterrupted run right after saving and in a resumed run right after loading, so both continue from identical
 * state. Optimizers that do not implement it resume with fresh random streams (see {@code docs/checkpoints.md}).
 */
public interface Reseedable {

    /**
     * Restarts every random stream (sampling noise, minibatch order, env reset seeds, re-initialization) from
     * {@code seed}, and starts new episodes on the next {@code learn} call instead of continuing the env's current
     * ones (whose state a checkpoint does not hold).
     *
     * @param seed the new root seed
     */
    void reseed(long seed);
}
