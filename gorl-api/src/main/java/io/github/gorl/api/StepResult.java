package io.github.gorl.api;

/**
 * What one {@link Env#step} returns besides the next observation, with Gymnasium's semantics.
 *
 * @param reward the reward of this step, finite
 * @param terminated the episode reached a terminal state: do not bootstrap from the next observation
 * @param truncated the episode was cut (for instance at {@link EnvSpec#maxEpisodeSteps()}) without
 *     reaching a terminal state: the value of the next observation still counts
 */
public record StepResult(double reward, boolean terminated, boolean truncated) {

    /**
     * Whether the episode is over, for either reason.
     *
     * @return {@code terminated || truncated}
     */
    public boolean done() {
        return terminated || truncated;
    }
}
