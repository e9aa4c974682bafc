package io.github.gorl.core.optim.ppo.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A policy that {@link PpoEngine} optimizes: how actions are sampled and which statistic {@code l_theta(s, a)} makes
 * the log-ratio {@code log r = l_theta(s, a) - l_old(s, a)} of PPO's clipped surrogate. Latent PPO's Gaussian
 * ({@code l} = the log-probability), FPO's flow ({@code l} = the negated conditional-flow-matching loss) and DPPO's
 * denoising chain ({@code l} = the chain's log-likelihood) are the three; the engine owns everything else (rollout,
 * critic, GAE, minibatches, the loss's PPO terms, clipping switches, checks, checkpoints, seeding).
 *
 * <p>Observations reaching a policy are already normalized by the engine, {@code [n, observationDim]}; actions are
 * {@code [n, actionDim]} (latents for latent PPO); extras are the {@link #extraWidth()} floats per row that the
 * statistic needs besides the action (FPO's fixed {@code (eps, t)} draws, DPPO's chain), stored in the rollout.
 *
 * <p>The statistic is one float per row ({@code [n]}) unless {@link #statisticWidth()} {@code k > 1}: then it is
 * {@code [n, k]}, one log-ratio per entry (FPO's per-draw ratios, DPPO's per-step ratios), each entry enters the
 * clipped surrogate with its row's advantage, and the surrogate, {@code approx_kl} and {@code clip_fraction} are
 * means over all {@code n * k} entries.
 *
 * <p>Internal: public so that the baselines can plug in; not part of the stable API.
 */
public interface PpoPolicy {

    /**
     * What one sampling call produced.
     *
     * @param actions {@code [n, actionDim]}
     * @param extras {@code [n, extraWidth]}, or null when {@code extraWidth} is 0 or the call was deterministic
     * @param statistic {@code l_old(s, a)} {@code [n]} (or {@code [n, statisticWidth]}) when
     *     {@link #recordsStatisticAtSampling()}, else null
     */
    record Sample(NDArray actions, NDArray extras, NDArray statistic) {}

    /**
     * One minibatch's forward pass, inside the engine's gradient collector.
     */
    interface Evaluation {

        /**
         * The statistic {@code l_theta(s, a)}.
         *
         * @return {@code [n]}, or {@code [n, statisticWidth]} when {@link PpoPolicy#statisticWidth()} is above 1,
         *     with gradients
         */
        NDArray statistic();

        /**
         * The policy's own loss terms, in the order of {@link PpoPolicy#lossTermNames()}; the engine computes them
         * after its value loss.
         *
         * @return scalars, with gradients; empty by default
         */
        default NDArray[] lossTerms() {
            return new NDArray[0];
        }

        /**
         * Adds the weighted {@link #lossTerms()} to the engine's loss.
         *
         * @param loss the clipped surrogate plus the weighted value loss, a scalar
         * @param terms what {@link #lossTerms()} returned
         * @param klBeta the stage's weight of the prior penalty
         * @return the total loss, a scalar; {@code loss} itself by default
         */
        default NDArray addLossTerms(NDArray loss, NDArray[] terms, double klBeta) {
            return loss;
        }

        /**
         * Statistics reported after the gradient step, in the order of {@link PpoPolicy#diagnosticNames()}.
         *
         * @return scalars
         */
        NDArray[] diagnostics();
    }

    /**
     * Creates the networks; called once, by the engine's {@code initialize}.
     *
     * @param manager the engine's manager, under which the parameters live
     * @param spec the latent env's spec
     * @param seed the initialization seed
     */
    void initialize(NDManager manager, EnvSpec spec, long seed);

    /**
     * The trainable parameters, optimized by the engine's one Adam together with the critic's.
     *
     * @return the parameters, in a fixed order (the order of Adam's saved state)
     */
    List<NDArray> parameters();

    /**
     * Floats stored per rollout row besides the action.
     *
     * @return {@code >= 0}
     */
    int extraWidth();

    /**
     * Log-ratios per row: 1 (the default) for one ratio per row; {@code k > 1} for a statistic of shape
     * {@code [n, k]} whose entries each get their own ratio (FPO's per-draw ratios, DPPO's per-step ratios).
     *
     * @return {@code >= 1}
     */
    default int statisticWidth() {
        return 1;
    }

    /**
     * The bound {@code c} of the log-ratio: {@code r = exp(clip(l_theta - l_old, -c, c))}, as reference FPO bounds
     * each per-draw ratio at {@code exp(+-3)}. Entries beyond the bound get no gradient from the surrogate.
     *
     * @return {@code c > 0}, or NaN (the default) for none
     */
    default double logRatioClip() {
        return Double.NaN;
    }

    /**
     * Samples actions for a batch of observations.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param random the noise source
     * @param deterministic whether to sample without noise (evaluation)
     * @return the actions, the extras and, if recorded at sampling time, the statistic
     */
    Sample sample(NDArray normalizedObservations, SplittableRandom random, boolean deterministic);

    /**
     * The actions of {@code LatentPolicyOptimizer.act}; by default those of {@link #sample}.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param random the noise source
     * @param deterministic whether to sample without noise
     * @return {@code [n, actionDim]}
     */
    default NDArray act(NDArray normalizedObservations, SplittableRandom random, boolean deterministic) {
        return sample(normalizedObservations, random, deterministic).actions();
    }

    /**
     * Whether {@code l_old} is the statistic recorded at sampling time (latent PPO: the log-probability, with the
     * observation statistics before this rollout's update), or is recomputed once after the observation statistics
     * are updated, so that {@code r = 1} exactly before the first gradient step (FPO, DPPO).
     *
     * @return true to record it at sampling time
     */
    boolean recordsStatisticAtSampling();

    /**
     * The forward pass of a minibatch; the engine calls it inside its gradient collector, and outside it (for
     * {@code l_old} and tests) reading only {@link Evaluation#statistic()}.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param actions {@code [n, actionDim]}
     * @param extras {@code [n, extraWidth]}
     * @return the evaluation
     */
    Evaluation evaluate(NDArray normalizedObservations, NDArray actions, NDArray extras);

    /**
     * The forward pass of a minibatch inside the engine's gradient collector, with a noise source for terms that
     * need samples (the tanh-Jacobian entropy correction); by default {@link #evaluate(NDArray, NDArray, NDArray)}.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param actions {@code [n, actionDim]}
     * @param extras {@code [n, extraWidth]}
     * @param noise the engine's noise stream
     * @return the evaluation
     */
    default Evaluation evaluate(NDArray normalizedObservations, NDArray actions, NDArray extras,
            SplittableRandom noise) {
        return evaluate(normalizedObservations, actions, extras);
    }

    /**
     * Re-draws every parameter as a newly built policy would be drawn ({@code EncoderInit.FRESH}); by default
     * {@link #resetToPrior}.
     *
     * @param seed the initialization seed
     */
    default void reinitialize(long seed) {
        resetToPrior(seed);
    }

    /**
     * Sets the entropy bonus for the stage about to start ({@code Stage.entropyCoefficient()}).
     *
     * @param coefficient {@code >= 0}
     * @throws UnsupportedOperationException if the policy has no entropy bonus (the default)
     */
    default void entropyCoefficient(double coefficient) {
        throw new UnsupportedOperationException(displayName() + " has no entropy bonus to set per stage");
    }

    /**
     * The names of {@link Evaluation#lossTerms()}, reported as metrics after {@code value_loss}.
     *
     * @return e.g. {@code entropy, kl_to_prior}; empty by default
     */
    default List<String> lossTermNames() {
        return List.of();
    }

    /**
     * The names of {@link Evaluation#diagnostics()}, reported after {@code clip_fraction}.
     *
     * @return e.g. {@code policy_std}
     */
    List<String> diagnosticNames();

    /**
     * Makes the policy its prior: afterwards latent PPO's is {@code N(0, I)} exactly, FPO's and DPPO's networks output
     * 0.
     *
     * @param seed the seed of re-drawn layers
     */
    void resetToPrior(long seed);

    /**
     * Whether the loss has the prior penalty {@code beta * KL(pi_theta || N(0, I))}, so that the stage's
     * {@code klBeta} applies and {@code klWeight()} reports it; the baselines, which act in the real action space,
     * have none.
     *
     * @return true for latent PPO
     */
    boolean hasPriorPenalty();

    /**
     * How messages name the optimizer.
     *
     * @return e.g. {@code PPO} or {@code fpo}
     */
    String displayName();

    /**
     * How messages name the action width.
     *
     * @return {@code latentDim} or {@code actionDim}
     */
    String actionDimName();

    /**
     * Writes what defines the policy into a checkpoint's entries.
     *
     * @param entries the entries, in file order
     */
    void writeTo(Map<String, float[]> entries);

    /**
     * Restores what {@link #writeTo} wrote, after checking that it fits this policy.
     *
     * @param content the checkpoint's content
     * @param file where it came from, for messages
     * @throws IOException if an entry is missing or does not fit
     */
    void readFrom(TensorFile.Content content, Path file) throws IOException;
}
