package io.github.gorl.api;

/**
 * What training does when the data it is about to learn from holds a NaN or infinite observation or reward, set
 * by the trainer ({@code GoRL.builder().onNonFinite(...)}) through
 * {@link LatentPolicyOptimizer#onNonFinite}. A non-finite <em>loss</em>, gradient norm or temperature always stops
 * training: a diverged network cannot be skipped meaningfully. Evaluation episodes and the rollouts collected for a
 * decoder refit always stop too: they are not learned from step by step, and a mean over a NaN means nothing.
 */
public enum NonFinitePolicy {

    /** Stop training with a {@link NonFiniteException} naming the env step, the sub-env and the
     * last good checkpoint (the default). */
    STOP,

    /**
     * Drop the data instead of learning from it: PPO drops the whole rollout batch, SAC the non-finite transitions;
     * the vector env is then reset (ending the episode of the sub-env that produced the value, and the others'),
     * a warning is logged and the optimizer's metrics count the drops ({@code skipped_batches} for PPO,
     * {@code skipped_transitions} for SAC).
     */
    SKIP_BATCH
}
