package io.github.gorl.api;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An RL algorithm that optimizes the tractable latent policy {@code pi_theta(eps | s)} of GoRL.
 *
 * <p>During the encoder phase the frozen decoder is part of the environment: the optimizer learns on a
 * <em>latent</em> {@link VectorEnv} whose actions are latents {@code eps} and whose dynamics are
 * {@code env.step(g_phi(s, eps))}. Nothing in an optimizer needs to know about decoders; any algorithm
 * that learns on a continuous, unbounded action space can be plugged in.
 *
 * <p>Life cycle, driven by the GoRL trainer: {@link #initialize} once; then per stage
 * {@link #resetToPrior()}, {@link #beginStage(Stage)}, and one or more {@link #learn} calls (training
 * continues across calls on the same env, so a trainer may interleave evaluations).
 */
public interface LatentPolicyOptimizer extends AutoCloseable {

    /**
     * Creates the networks for the given latent space. Called once, before any other method.
     *
     * @param latentSpec the latent environment's spec: observations {@code [observationDim]}, unbounded
     *     latent actions {@code [actionDim]}
     * @param device where tensors live, for instance {@code Device.cpu()}
     * @param seed seeds parameter initialization and sampling
     */
    void initialize(EnvSpec latentSpec, Device device, long seed);

    /**
     * Resets the latent policy to the prior: afterwards {@code pi_theta(eps | s) = N(0, I)} exactly, for
     * every state {@code s}. Whether critics and optimizer states are reset too is the implementation's
     * documented choice.
     */
    void resetToPrior();

    /**
     * Starts the encoder of a new stage as {@code init} says; the trainer calls it at every stage start, before
     * {@link #beginStage}. By default {@link EncoderInit#PRIOR} calls {@link #resetToPrior()} and the other modes are
     * refused.
     *
     * @param init how the encoder starts
     * @throws UnsupportedOperationException if this optimizer does not offer {@code init}
     */
    default void startStage(EncoderInit init) {
        if (Validate.notNull("init", init) != EncoderInit.PRIOR) {
            throw new UnsupportedOperationException(name() + " starts a stage only at the prior (EncoderInit.PRIOR), "
                    + "not " + init);
        }
        resetToPrior();
    }

    /**
     * Applies the per-stage knobs (KL weight, ratio clip, gradient-norm clip, and where the stage sets them the
     * learning rate and entropy bonus) before a stage's learning.
     *
     * @param stage the stage about to start
     */
    void beginStage(Stage stage);

    /**
     * Optimizes the latent policy for (about) {@code envSteps} environment steps on {@code latentEnv};
     * implementations round up to whole rollouts. Calling again with the same env continues its episodes.
     *
     * @param latentEnv the latent environment, with the spec given to {@link #initialize}
     * @param envSteps the environment steps to take, summed over sub-environments, {@code > 0}
     * @param listener receives {@link Metrics} whose step counts the steps taken within this call
     * @return the environment steps actually taken
     */
    long learn(VectorEnv latentEnv, long envSteps, TrainingListener listener);

    /**
     * Samples or picks latent actions.
     *
     * @param observations {@code [batch, observationDim]}, raw (unnormalized) observations
     * @param deterministic true for the mean latent, false to sample from {@code pi_theta(eps | s)}
     * @return {@code [batch, latentDim]}, attached to the manager of {@code observations}
     */
    NDArray act(NDArray observations, boolean deterministic);

    /**
     * The current weight {@code beta} of the penalty that keeps {@code pi_theta(eps | s)} near the prior
     * {@code N(0, I)} (a weight, not the divergence itself; the divergence is reported as the metric
     * {@code kl_to_prior}).
     *
     * @return {@code beta >= 0}
     */
    double klWeight();

    /**
     * Restarts every random stream (sampling noise, minibatch order, env reset seeds, re-initialization) from
     * {@code seed}, and starts new episodes on the next {@link #learn} call instead of continuing the env's
     * current ones, whose state a checkpoint does not hold. This makes a resumed run exact: at every checkpoint
     * the trainer calls it with a seed derived from the run's seed and env step count, in the uninterrupted run
     * right after saving and in a resumed run right after loading, so both continue from identical state.
     *
     * <p>The default does nothing and returns false: such an optimizer resumes with whatever random state
     * {@link #load} restored (see {@code docs/checkpoints.md}).
     *
     * @param seed the new root seed
     * @return true if the optimizer restarted its streams, false if it cannot
     */
    default boolean reseed(long seed) {
        return false;
    }

    /**
     * Sets what {@link #learn} does with a NaN or infinite observation or reward in the data it is about to
     * learn from. The trainer calls it once, before {@link #initialize}.
     *
     * <p>The default accepts only {@link NonFinitePolicy#STOP} (an optimizer that cannot drop data always
     * stops); an optimizer that can drop a batch or transitions overrides it.
     *
     * @param policy the policy
     * @throws IllegalArgumentException if this optimizer cannot follow {@code policy}
     */
    default void onNonFinite(NonFinitePolicy policy) {
        Validate.notNull("onNonFinite", policy);
        if (policy != NonFinitePolicy.STOP) {
            throw new IllegalArgumentException("onNonFinite " + policy + " needs an optimizer that can drop data"
                    + " (such as latent PPO or SAC), but optimizer '" + name() + "' (" + getClass().getName()
                    + ") cannot; use " + NonFinitePolicy.STOP);
        }
    }

    /**
     * A short name for logs and run directories, such as {@code "ppo"}.
     *
     * @return the name
     */
    String name();

    /**
     * The full configuration, recorded in {@code run.json} for provenance and in checkpoints. A checkpoint loads into
     * an agent only when this map equals the saved one (compared as JSON), so it must hold every option that changes
     * the meaning of the saved state, and nothing that varies between equal optimizers.
     *
     * @return a map from option name to value (numbers, strings, booleans)
     */
    Map<String, Object> config();

    /**
     * Writes every parameter and training state into {@code directory}, which exists.
     *
     * @param directory the destination folder
     * @throws IOException if writing fails
     */
    void save(Path directory) throws IOException;

    /**
     * Restores what {@link #save} wrote. Must be called after {@link #initialize} with the same spec.
     *
     * @param directory the source folder
     * @throws IOException if reading fails or the files do not match this optimizer
     */
    void load(Path directory) throws IOException;

    /** Frees native memory. */
    @Override
    void close();
}
