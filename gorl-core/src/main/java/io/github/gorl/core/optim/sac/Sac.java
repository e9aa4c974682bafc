package io.github.gorl.core.optim.sac;

import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.Validate;
import java.util.Arrays;

/**
 * Soft Actor-Critic of GoRL's Gaussian latent policy {@code pi_theta(eps | s)}, learned off-policy on the
 * latent environment (the real env composed with the frozen decoder).
 *
 * <p>Twin Q networks {@code Q_i(s, eps)} over the normalized observation and the latent, with Polyak-averaged
 * target networks; an unbounded (tanh-free) Gaussian actor trained through the reparameterization
 * {@code eps = mean(s) + std(s) * z}; a replay buffer cleared at every {@code resetToPrior()} (the decoder
 * changed, so old {@code (s, eps)} pairs no longer mean the same actions). How the policy is regularized is
 * a {@link Regularization}: SAC's entropy with automatic temperature, GoRL's KL to the prior, or both
 * (the default). See {@code docs/sac.md} for the equations and every option.
 *
 * <pre>{@code
 * LatentPolicyOptimizer sac = Sac.latent()
 *     .actorLayers(64, 64).criticLayers(64, 64)
 *     .learningStarts(1_000)
 *     .build();
 * }</pre>
 */
public final class Sac {

    private Sac() {}

    /**
     * A builder for latent SAC with standard SAC defaults (Haarnoja et al. 2018; CleanRL's learning rates).
     *
     * @return a new builder
     */
    public static Builder latent() {
        return new Builder();
    }

    /**
     * The regularizer that replaces (or joins) SAC's entropy term, in the critic target and the actor loss.
     * With {@code R(s)} the per-state penalty, the actor minimizes {@code E[R(s) - min_i Q_i(s, eps)]} and the
     * target is {@code y = r + gamma (1 - terminated) (min_i Q'_i(s', eps') - R(s'))}.
     */
    public enum Regularization {
        /**
         * SAC's maximum entropy: {@code R(s) = alpha * log pi(eps | s)} (one sample), the temperature
         * {@code alpha} learned so that the entropy tracks the target entropy (default {@code -latentDim}).
         * Ignores the stage's KL weight.
         */
        ENTROPY,
        /**
         * GoRL's penalty: {@code R(s) = beta * KL(pi(. | s) || N(0, I))} in closed form, {@code beta} the
         * stage's KL weight. The objective is KL-regularized RL with the decoder's prior as the reference
         * policy; with {@code beta = 0} nothing keeps the policy stochastic.
         */
        KL_TO_PRIOR,
        /**
         * Both terms: {@code R(s) = alpha * log pi(eps | s) + beta * KL(pi(. | s) || N(0, I))}. With
         * {@code beta = 0} (the Gaussian SAC baseline) this is exactly standard SAC.
         */
        ENTROPY_AND_KL;

        boolean entropy() {
            return this != KL_TO_PRIOR;
        }

        boolean kl() {
            return this != ENTROPY;
        }
    }

    /**
     * Configures latent SAC. Every setter validates its argument and throws an {@link IllegalArgumentException}
     * naming the option and the value.
     */
    public static final class Builder {

        private int[] actorLayers = {256, 256};
        private int[] criticLayers = {256, 256};
        private int bufferCapacity = 1_000_000;
        private int batchSize = 256;
        private int learningStarts = 5_000;
        private double updatesPerStep = 1.0;
        private double gamma = 0.99;
        private double tau = 0.005;
        private double actorLearningRate = 3e-4;
        private double criticLearningRate = 1e-3;
        private double alphaLearningRate = 1e-3;
        private Regularization regularization = Regularization.ENTROPY_AND_KL;
        private double initialAlpha = 1.0;
        private boolean autoTuneAlpha = true;
        private double targetEntropy = Double.NaN;
        private double rewardScaling = 1.0;
        private boolean normalizeObservations = true;
        private double observationClip = 10;
        private double klToPrior = StageSchedule.LATER_STAGE_KL_BETA;
        private double gradNormClip = StageSchedule.LATER_STAGE_GRAD_NORM;
        private boolean resetCriticOnStage = false;
        private int criticWarmupUpdates = 0;
        private boolean resetNormalizerOnStage = false;
        private boolean saveReplayBuffer = true;
        private int logInterval = 1_000;

        Builder() {}

        /**
         * The hidden layer widths of the actor MLP {@code normalized obs -> [mean, raw std]}, SiLU between
         * layers. Default {@code 256, 256}.
         *
         * @param widths one width per hidden layer, each {@code > 0}; at least one
         * @return this builder
         */
        public Builder actorLayers(int... widths) {
            this.actorLayers = layers("actorLayers", widths);
            return this;
        }

        /**
         * The hidden layer widths of each of the two Q networks {@code [normalized obs, eps] -> Q}. Default
         * {@code 256, 256}.
         *
         * @param widths one width per hidden layer, each {@code > 0}; at least one
         * @return this builder
         */
        public Builder criticLayers(int... widths) {
            this.criticLayers = layers("criticLayers", widths);
            return this;
        }

        /**
         * The replay buffer's capacity in transitions, preallocated when the optimizer is initialized.
         * Default 1,000,000.
         *
         * @param transitions {@code > 0}
         * @return this builder
         */
        public Builder bufferCapacity(int transitions) {
            this.bufferCapacity = Validate.positive("bufferCapacity", transitions);
            return this;
        }

        /**
         * Transitions per gradient update. Default 256.
         *
         * @param size {@code > 0}
         * @return this builder
         */
        public Builder batchSize(int size) {
            this.batchSize = Validate.positive("batchSize", size);
            return this;
        }

        /**
         * Gradient updates start once the buffer holds this many transitions; before, the policy acts
         * without learning (right after {@code resetToPrior()} it is the prior {@code N(0, I)}, which the refit
         * decoder maps to the previous stage's actions). Counted per stage, because the buffer is cleared at
         * each reset. Default 5,000.
         *
         * @param transitions {@code >= 1}
         * @return this builder
         */
        public Builder learningStarts(int transitions) {
            this.learningStarts = Validate.positive("learningStarts", transitions);
            return this;
        }

        /**
         * The update-to-data ratio: gradient updates per environment step, summed over sub-environments (with
         * 4 sub-envs and ratio 1, each vector step is followed by 4 updates; fractions accumulate). Default 1.
         *
         * @param ratio finite, {@code > 0}
         * @return this builder
         */
        public Builder updatesPerStep(double ratio) {
            this.updatesPerStep = Validate.positive("updatesPerStep", ratio);
            return this;
        }

        /**
         * The discount {@code gamma}. Default 0.99.
         *
         * @param discount in {@code [0, 1]}
         * @return this builder
         */
        public Builder gamma(double discount) {
            this.gamma = Validate.inRange("gamma", discount, 0, 1);
            return this;
        }

        /**
         * The Polyak step of the target networks, {@code Q' = (1 - tau) Q' + tau Q} after every critic update.
         * Default 0.005.
         *
         * @param step in {@code (0, 1]}
         * @return this builder
         */
        public Builder tau(double step) {
            if (!(step > 0 && step <= 1)) {
                throw new IllegalArgumentException("tau must be in (0, 1], got " + step);
            }
            this.tau = step;
            return this;
        }

        /**
         * Adam's step size for the actor. Default {@code 3e-4}.
         *
         * @param lr finite, {@code > 0}
         * @return this builder
         */
        public Builder actorLearningRate(double lr) {
            this.actorLearningRate = Validate.positive("actorLearningRate", lr);
            return this;
        }

        /**
         * Adam's step size for the two Q networks. Default {@code 1e-3}.
         *
         * @param lr finite, {@code > 0}
         * @return this builder
         */
        public Builder criticLearningRate(double lr) {
            this.criticLearningRate = Validate.positive("criticLearningRate", lr);
            return this;
        }

        /**
         * Adam's step size for {@code log alpha}. Default {@code 1e-3}.
         *
         * @param lr finite, {@code > 0}
         * @return this builder
         */
        public Builder alphaLearningRate(double lr) {
            this.alphaLearningRate = Validate.positive("alphaLearningRate", lr);
            return this;
        }

        /**
         * How the policy is regularized. Default {@link Regularization#ENTROPY_AND_KL}: SAC's self-tuning
         * entropy keeps exploration alive at any reward scale, the stage's KL keeps the latents where the
         * decoder was trained, and with {@code beta = 0} it is exactly standard SAC.
         *
         * @param mode the regularization
         * @return this builder
         */
        public Builder regularization(Regularization mode) {
            this.regularization = Validate.notNull("regularization", mode);
            return this;
        }

        /**
         * The temperature {@code alpha} at the start of every stage (and for good when {@code autoTuneAlpha} is
         * off). Default 1.
         *
         * @param alpha finite, {@code > 0}
         * @return this builder
         */
        public Builder initialAlpha(double alpha) {
            this.initialAlpha = Validate.positive("initialAlpha", alpha);
            return this;
        }

        /**
         * Whether {@code log alpha} is learned by minimizing {@code -log alpha * (log pi(eps | s) + H_target)}.
         * Default true.
         *
         * @param enabled false for a fixed {@code alpha = initialAlpha}
         * @return this builder
         */
        public Builder autoTuneAlpha(boolean enabled) {
            this.autoTuneAlpha = enabled;
            return this;
        }

        /**
         * The entropy the temperature tuning aims for, in nats. Default {@code -latentDim}.
         *
         * @param nats finite
         * @return this builder
         */
        public Builder targetEntropy(double nats) {
            if (!Double.isFinite(nats)) {
                throw new IllegalArgumentException("targetEntropy must be finite, got " + nats);
            }
            this.targetEntropy = nats;
            return this;
        }

        /**
         * The factor applied to rewards in the critic target (reported returns stay raw). Default 1.
         *
         * @param scale finite, {@code > 0}
         * @return this builder
         */
        public Builder rewardScaling(double scale) {
            this.rewardScaling = Validate.positive("rewardScaling", scale);
            return this;
        }

        /**
         * Whether observations are normalized with running statistics before every network. Default true.
         *
         * @param enabled true to normalize
         * @return this builder
         */
        public Builder normalizeObservations(boolean enabled) {
            this.normalizeObservations = enabled;
            return this;
        }

        /**
         * The absolute bound of normalized observations. Default 10; {@code Double.POSITIVE_INFINITY} disables
         * clipping.
         *
         * @param bound {@code > 0}
         * @return this builder
         */
        public Builder observationClip(double bound) {
            if (!(bound > 0)) {
                throw new IllegalArgumentException("observationClip must be > 0, got " + bound);
            }
            this.observationClip = bound;
            return this;
        }

        /**
         * The initial KL weight {@code beta}, used until {@link LatentPolicyOptimizer#beginStage} applies a
         * stage's. Default {@code 1e-3}.
         *
         * @param beta finite, {@code >= 0}
         * @return this builder
         */
        public Builder klToPrior(double beta) {
            this.klToPrior = Validate.nonNegative("klToPrior", beta);
            return this;
        }

        /**
         * The initial gradient-norm clip of the actor and of the critics (each clipped separately), used
         * until {@code beginStage} applies a stage's. Default 1.0.
         *
         * @param maxNorm finite, {@code > 0}
         * @return this builder
         */
        public Builder gradNormClip(double maxNorm) {
            this.gradNormClip = Validate.positive("gradNormClip", maxNorm);
            return this;
        }

        /**
         * Whether {@code resetToPrior()} also re-initializes the Q networks (and copies them into the targets) once
         * they have been trained (a reset before any update always draws them, so the first stage does not depend
         * on this option). Default false: the refit decoder maps the prior to about the previous stage's actions,
         * so the kept critics still know the values of the states the new stage starts from, while freshly drawn
         * ones led the actor away from that policy (SAC x flow on Pendulum, seeds 1 and 2: stage 1 at -107 and
         * -112 after 4,000 steps with the critics kept, against -130 and -135 with re-drawn ones after swings down
         * to -1330 and -1024; see {@code docs/sac.md}, "Measured"). True suits refits that change the decoder
         * so much that {@code Q(s, eps)} scores quite other actions.
         *
         * @param enabled true to reset the critics at each stage
         * @return this builder
         */
        public Builder resetCriticOnStage(boolean enabled) {
            this.resetCriticOnStage = enabled;
            return this;
        }

        /**
         * The first {@code updates} gradient updates after a {@code resetToPrior()} that follows training (so at the
         * start of every stage but the first, once {@code learningStarts} transitions are in the fresh buffer)
         * update only the Q networks and their targets; the actor and the temperature stay as they are. After a
         * refit the prior {@code N(0, I)} through the new decoder is close to the previous stage's policy, but
         * freshly drawn critics ({@code resetCriticOnStage}) do not know its values yet, and an actor following
         * them early moves away from it. The first stage starts from the prior through the identity decoder,
         * which has nothing worth keeping, so it is not warmed up. Default 0 (no warm-up). See
         * {@code docs/sac.md}, "Measured".
         *
         * @param updates {@code >= 0}
         * @return this builder
         */
        public Builder criticWarmupUpdates(int updates) {
            if (updates < 0) {
                throw new IllegalArgumentException("criticWarmupUpdates must be >= 0, got " + updates);
            }
            this.criticWarmupUpdates = updates;
            return this;
        }

        /**
         * Whether {@code resetToPrior()} also forgets the observation statistics. Default false: the
         * observations are the real env's, whose distribution changes little between stages.
         *
         * @param enabled true to reset the normalizer at each stage
         * @return this builder
         */
        public Builder resetNormalizerOnStage(boolean enabled) {
            this.resetNormalizerOnStage = enabled;
            return this;
        }

        /**
         * Whether {@code save} also writes the replay buffer (into its own versioned, CRC-checked file
         * {@code replay-buffer.tensors}, streamed and swapped in atomically like the rest of a checkpoint), so
         * that a run resumed from a checkpoint continues exactly like the uninterrupted one. Default true. The
         * opt-out keeps checkpoints small (a full default buffer on a 24-dim task is about 200 MB) at a price: a
         * loaded optimizer without a buffer collects {@code learningStarts} new transitions before it updates
         * again and then samples from the new data only, so a resumed run is no longer identical to an
         * uninterrupted one.
         *
         * @param enabled true to save the buffer
         * @return this builder
         */
        public Builder saveReplayBuffer(boolean enabled) {
            this.saveReplayBuffer = enabled;
            return this;
        }

        /**
         * Environment steps between two metrics reports within a {@code learn} call (one more is reported at
         * the end of every call). Default 1,000.
         *
         * @param steps {@code > 0}
         * @return this builder
         */
        public Builder logInterval(int steps) {
            this.logInterval = Validate.positive("logInterval", steps);
            return this;
        }

        /**
         * Validates the options and creates the optimizer; call {@link LatentPolicyOptimizer#initialize} before
         * using it.
         *
         * @return a new, uninitialized optimizer
         * @throws IllegalArgumentException if {@code batchSize > bufferCapacity} or
         *     {@code learningStarts > bufferCapacity}
         */
        public LatentPolicyOptimizer build() {
            if (batchSize > bufferCapacity) {
                throw new IllegalArgumentException("batchSize must be <= bufferCapacity " + bufferCapacity
                        + ", got " + batchSize);
            }
            if (learningStarts > bufferCapacity) {
                throw new IllegalArgumentException("learningStarts must be <= bufferCapacity " + bufferCapacity
                        + ", got " + learningStarts);
            }
            return new LatentSac(new SacConfig(actorLayers.clone(), criticLayers.clone(), bufferCapacity, batchSize,
                    learningStarts, updatesPerStep, gamma, tau, actorLearningRate, criticLearningRate,
                    alphaLearningRate, regularization, initialAlpha, autoTuneAlpha, targetEntropy, rewardScaling,
                    normalizeObservations, observationClip, klToPrior, gradNormClip, resetCriticOnStage,
                    criticWarmupUpdates, resetNormalizerOnStage, saveReplayBuffer, logInterval));
        }

        private static int[] layers(String field, int[] widths) {
            Validate.notNull(field, widths);
            if (widths.length == 0) {
                throw new IllegalArgumentException(field + " must list at least one hidden layer, got []");
            }
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] <= 0) {
                    throw new IllegalArgumentException(field + "[" + i + "] must be > 0, got " + widths[i]
                            + " in " + Arrays.toString(widths));
                }
            }
            return widths.clone();
        }
    }
}
