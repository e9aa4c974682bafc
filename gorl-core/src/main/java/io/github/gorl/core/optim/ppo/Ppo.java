package io.github.gorl.core.optim.ppo;

import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.Validate;
import java.util.Arrays;

/**
 * Proximal Policy Optimization of GoRL's Gaussian latent policy {@code pi_theta(eps | s)}, with a penalty
 * {@code beta * KL(pi_theta(. | s) || N(0, I))} that keeps the latent policy near the decoder's prior.
 *
 * <p>Entry point: {@link #latent()} returns a builder whose defaults are the paper's (Brax / MuJoCo
 * Playground DMControl settings). The optimizer learns on any continuous {@link io.github.gorl.api.VectorEnv};
 * with the identity decoder and {@code beta = 0} it is plain Gaussian PPO. See {@code docs/ppo.md} for the
 * equations, every option, and settings that solve Pendulum on a CPU in about a minute.
 *
 * <pre>{@code
 * LatentPolicyOptimizer ppo = Ppo.latent()
 *     .unrollLength(64).minibatches(8).epochs(10)
 *     .criticLayers(64, 64)
 *     .build();
 * }</pre>
 */
public final class Ppo {

    private Ppo() {}

    /**
     * A builder for latent PPO with the paper's defaults.
     *
     * @return a new builder
     */
    public static Builder latent() {
        return new Builder();
    }

    /** How the penalty that keeps {@code pi_theta(eps | s)} near the prior {@code N(0, I)} is computed. */
    public enum KlMode {
        /**
         * The true divergence {@code KL(N(mu, sigma) || N(0, I)) = sum(mu^2 + sigma^2 - 1 - 2 log sigma) / 2},
         * as in the paper; minimized exactly at the prior.
         */
        ANALYTIC,
        /**
         * The reference code's surrogate {@code mean(mu^2) + mean(sigma^2)} over latent dimensions; pulls
         * {@code sigma} towards 0 rather than 1 (kept for comparisons with the reference implementation).
         */
        SQUARED_MOMENTS
    }

    /**
     * Configures latent PPO. Every setter validates its argument and throws an
     * {@link IllegalArgumentException} naming the option and the value; {@link #build()} checks the
     * combination.
     */
    public static final class Builder {

        private int[] actorLayers = {32, 32, 32, 32};
        private int[] criticLayers = {256, 256, 256, 256, 256};
        private int unrollLength = 30;
        private int minibatches = 32;
        private int epochs = 16;
        private double learningRate = 1e-3;
        private double gamma = 0.995;
        private double gaeLambda = 0.95;
        private double rewardScaling = 10;
        private double entropyCoefficient = 1e-2;
        private double valueLossCoefficient = 0.25;
        private boolean valueClipping = false;
        private boolean normalizeAdvantages = true;
        private boolean normalizeObservations = true;
        private double observationClip = 10;
        private KlMode klMode = KlMode.ANALYTIC;
        private double klToPrior = StageSchedule.LATER_STAGE_KL_BETA;
        private double clip = StageSchedule.LATER_STAGE_CLIP;
        private double gradNormClip = StageSchedule.LATER_STAGE_GRAD_NORM;
        private boolean resetCriticOnStage = true;
        private boolean resetNormalizerOnStage = false;
        private int batchSize = 0;
        private boolean tanhEntropyCorrection = false;

        Builder() {}

        /**
         * The hidden layer widths of the actor MLP {@code normalized obs -> [mean, raw std]}, SiLU between
         * layers. Default {@code 32, 32, 32, 32} (the paper's).
         *
         * @param widths one width per hidden layer, each {@code > 0}; at least one
         * @return this builder
         */
        public Builder actorLayers(int... widths) {
            this.actorLayers = layers("actorLayers", widths);
            return this;
        }

        /**
         * The hidden layer widths of the critic MLP {@code normalized obs -> V(s)}. Default
         * {@code 256 x 5} (the paper's); on a CPU {@code 64, 64} learns small tasks many times faster.
         *
         * @param widths one width per hidden layer, each {@code > 0}; at least one
         * @return this builder
         */
        public Builder criticLayers(int... widths) {
            this.criticLayers = layers("criticLayers", widths);
            return this;
        }

        /**
         * The steps each sub-environment takes per rollout; a rollout holds
         * {@code numEnvs * unrollLength} transitions. Default 30 (Brax's {@code unroll_length}).
         *
         * @param steps {@code > 0}
         * @return this builder
         */
        public Builder unrollLength(int steps) {
            this.unrollLength = Validate.positive("unrollLength", steps);
            return this;
        }

        /**
         * The minibatches each rollout is split into per epoch. Default 32 (Brax's {@code num_minibatches}).
         *
         * @param count {@code > 0}, at most the rollout size
         * @return this builder
         */
        public Builder minibatches(int count) {
            this.minibatches = Validate.positive("minibatches", count);
            return this;
        }

        /**
         * The passes over each rollout. Default 16 (Brax's {@code num_updates_per_batch}).
         *
         * @param count {@code > 0}
         * @return this builder
         */
        public Builder epochs(int count) {
            this.epochs = Validate.positive("epochs", count);
            return this;
        }

        /**
         * Adam's step size for actor and critic. Default {@code 1e-3}.
         *
         * @param lr finite, {@code > 0}
         * @return this builder
         */
        public Builder learningRate(double lr) {
            this.learningRate = Validate.positive("learningRate", lr);
            return this;
        }

        /**
         * The discount {@code gamma}. Default 0.995 (the paper's, for 1000-step DMControl episodes).
         *
         * @param discount in {@code [0, 1]}
         * @return this builder
         */
        public Builder gamma(double discount) {
            this.gamma = Validate.inRange("gamma", discount, 0, 1);
            return this;
        }

        /**
         * The GAE {@code lambda}. Default 0.95.
         *
         * @param lambda in {@code [0, 1]}
         * @return this builder
         */
        public Builder gaeLambda(double lambda) {
            this.gaeLambda = Validate.inRange("gaeLambda", lambda, 0, 1);
            return this;
        }

        /**
         * The factor applied to rewards before advantages and value targets are computed (reported
         * returns stay raw). Default 10 (the paper's DMControl setting, rewards in {@code [0, 1]}).
         *
         * @param scale finite, {@code > 0}
         * @return this builder
         */
        public Builder rewardScaling(double scale) {
            this.rewardScaling = Validate.positive("rewardScaling", scale);
            return this;
        }

        /**
         * The weight of the entropy bonus. Default {@code 1e-2}.
         *
         * @param coefficient finite, {@code >= 0}
         * @return this builder
         */
        public Builder entropyCoefficient(double coefficient) {
            this.entropyCoefficient = Validate.nonNegative("entropyCoefficient", coefficient);
            return this;
        }

        /**
         * The weight of the value loss {@code 0.5 * (V(s) - R)^2}. Default 0.25.
         *
         * @param coefficient finite, {@code >= 0}
         * @return this builder
         */
        public Builder valueLossCoefficient(double coefficient) {
            this.valueLossCoefficient = Validate.nonNegative("valueLossCoefficient", coefficient);
            return this;
        }

        /**
         * Whether the value loss is clipped around the rollout's values with the stage's ratio clip, as in
         * the original PPO code. Default false (CleanRL and Brax find it does not help).
         *
         * @param enabled true to clip
         * @return this builder
         */
        public Builder valueClipping(boolean enabled) {
            this.valueClipping = enabled;
            return this;
        }

        /**
         * Whether advantages are normalized to mean 0, standard deviation 1 in each minibatch. Default true.
         *
         * @param enabled true to normalize
         * @return this builder
         */
        public Builder normalizeAdvantages(boolean enabled) {
            this.normalizeAdvantages = enabled;
            return this;
        }

        /**
         * Whether observations are normalized with running statistics before both networks. Default true.
         *
         * @param enabled true to normalize
         * @return this builder
         */
        public Builder normalizeObservations(boolean enabled) {
            this.normalizeObservations = enabled;
            return this;
        }

        /**
         * The absolute bound of normalized observations. Default 10; {@code Double.POSITIVE_INFINITY}
         * disables clipping.
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
         * How the KL to the prior is computed. Default {@link KlMode#ANALYTIC}.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder klMode(KlMode mode) {
            this.klMode = Validate.notNull("klMode", mode);
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
         * The initial ratio clip {@code epsilon}, used until {@code beginStage} applies a stage's.
         * Default 0.3.
         *
         * @param epsilon in {@code (0, 1)}
         * @return this builder
         */
        public Builder clip(double epsilon) {
            if (!(epsilon > 0 && epsilon < 1)) {
                throw new IllegalArgumentException("clip must be in (0, 1), got " + epsilon);
            }
            this.clip = epsilon;
            return this;
        }

        /**
         * The initial global gradient-norm clip, used until {@code beginStage} applies a stage's.
         * Default 1.0.
         *
         * @param maxNorm finite, {@code > 0}
         * @return this builder
         */
        public Builder gradNormClip(double maxNorm) {
            this.gradNormClip = Validate.positive("gradNormClip", maxNorm);
            return this;
        }

        /**
         * Whether {@code resetToPrior()} also re-initializes the critic. Default true: the decoder changed,
         * so the latent env's values did too, and the paper's reference re-creates the PPO agent each stage.
         *
         * @param enabled true to reset the critic at each stage
         * @return this builder
         */
        public Builder resetCriticOnStage(boolean enabled) {
            this.resetCriticOnStage = enabled;
            return this;
        }

        /**
         * Whether {@code resetToPrior()} also forgets the observation statistics. Default false: the
         * observations are those of the real env, whose distribution changes little between stages, and
         * keeping the statistics avoids a burst of badly scaled inputs at the start of each stage.
         *
         * @param enabled true to reset the normalizer at each stage
         * @return this builder
         */
        public Builder resetNormalizerOnStage(boolean enabled) {
            this.resetNormalizerOnStage = enabled;
            return this;
        }

        /**
         * The reference's update shape (Brax's PPO): an iteration collects {@code batchSize * minibatches} sequences
         * of {@code unrollLength} contiguous steps ({@code batchSize * minibatches / numEnvs} per sub-env), and each
         * of the {@code epochs} passes shuffles the sequences into {@code minibatches} minibatches of
         * {@code batchSize} whole sequences; each minibatch's GAE advantages are computed inside it with the current
         * critic (normalized with the population standard deviation), and the observation statistics are updated
         * after the iteration's update, so that sampling and update see the same ones. The paper: 1024 sequences x
         * 32 minibatches x 30 steps = 983,040 env steps on 2048 envs, 16 passes. {@code batchSize * minibatches} must
         * be a multiple of the env count; value clipping is not available in this shape.
         *
         * @param sequences sequences per minibatch, {@code >= 0}; 0 (the default) keeps CleanRL's shape (a rollout of
         *     {@code unrollLength} steps per env, shuffled single transitions, advantages once per rollout)
         * @return this builder
         */
        public Builder batchSize(int sequences) {
            this.batchSize = (int) Validate.nonNegative("batchSize", (long) sequences);
            return this;
        }

        /**
         * Whether the entropy bonus includes the {@code tanh} Jacobian, {@code E[log(1 - tanh(x)^2)]} estimated with one
         * sample {@code x ~ pi} per row: the entropy of the squashed action the env executes, as Brax's
         * {@code NormalTanhDistribution} and the reference's Gaussian PPO baseline. Use it when the decoder is the
         * identity and the trainer squashes with {@code ActionSquashing.TANH}; the reference's GoRL stages leave it
         * off.
         *
         * @param enabled default false
         * @return this builder
         */
        public Builder tanhEntropyCorrection(boolean enabled) {
            this.tanhEntropyCorrection = enabled;
            return this;
        }

        /**
         * Validates the options and creates the optimizer; call
         * {@link LatentPolicyOptimizer#initialize} before using it.
         *
         * @return a new, uninitialized optimizer
         */
        public LatentPolicyOptimizer build() {
            return LatentGaussianPolicy.optimizer(new PpoConfig(actorLayers.clone(), criticLayers.clone(), unrollLength, minibatches,
                    epochs, learningRate, gamma, gaeLambda, rewardScaling, entropyCoefficient,
                    valueLossCoefficient, valueClipping, normalizeAdvantages, normalizeObservations,
                    observationClip, klMode, klToPrior, clip, gradNormClip, resetCriticOnStage,
                    resetNormalizerOnStage, batchSize, tanhEntropyCorrection));
        }

        private static int[] layers(String field, int[] widths) {
            Validate.notNull(field, widths);
            if (widths.length == 0) {
                throw new IllegalArgumentException(field + " must list at least one hidden layer, got []");
            }
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] <= 0) {
                    throw new IllegalArgumentException(field + "[" + i + "] must be > 0, got "
                            + widths[i] + " in " + Arrays.toString(widths));
                }
            }
            return widths.clone();
        }
    }
}
