package io.github.gorl.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Validate;
import io.github.gorl.decoders.nn.Scalars;
import io.github.gorl.decoders.nn.Gaussian;
import java.util.SplittableRandom;

/**
 * DPPO, diffusion policy policy optimization (Ren et al., 2024): the {@code K}-step denoising chain is an
 * MDP with Gaussian transitions, so its likelihood is exact and PPO applies to it.
 *
 * <p><b>Policy.</b> {@code x_K ~ N(0, I)}, then for {@code k = K, ..., 1}
 * <pre>
 *   x_{k-1} ~ N(mu_theta(x_k, k; s), sigma^2 I),   mu_theta(x_k, k; s) = x_k - (1/K) f_theta(x_k, k/K; s)
 * </pre>
 * and the action is {@code a = x_0}. {@code f_theta} is an MLP on {@code [normalize(s), x_k, embed(k/K)]};
 * the residual mean makes a zero network the identity chain (a random walk from {@code N(0, I)}), as gorl's
 * decoders are parameterized, since here the chain is trained from scratch rather than fine-tuned from a
 * pretrained DDPM. {@code sigma} is DPPO's fixed exploration std ({@code denoisingStd}, default 0.1).
 *
 * <p><b>Ratio.</b> The chain {@code (x_K, ..., x_0)} is stored at rollout time; its log-likelihood is the sum
 * of the per-step Gaussian log-probabilities ({@code x_K}'s prior term cancels in the ratio):
 * <pre>
 *   log pi_theta(chain | s) = sum_{k=1..K} log N(x_{k-1}; mu_theta(x_k, k; s), sigma^2 I),
 *   r = exp(log pi_theta(chain | s) - log pi_old(chain | s))
 * </pre>
 * i.e. one ratio for the whole chain (the product of the per-step ratios); the env reward and advantage are
 * assigned to the whole chain.
 *
 * <pre>{@code
 * LatentPolicyOptimizer dppo = Dppo.builder().steps(10).denoisingStd(0.1).build();
 * }</pre>
 */
public final class Dppo {

    /** The {@link io.github.gorl.decoders.nn.TensorFile} kind of saved DPPO optimizers. */
    public static final String FILE_KIND = "dppo";

    private Dppo() {}

    /**
     * A builder with the defaults of {@link BaselineBuilder} and {@code denoisingStd} 0.1.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with the reference's DPPO settings (docs/fidelity.md lists each with
     * its source): the shared PPO settings of {@code dppo.toml}, 10 denoising steps, a scalar {@code sde_sigma}
     * 0.05 as the std of every step, one ratio per denoising step, output scale 0.25, clip 0.2, learning rate
     * 3e-4, no gradient-norm clip, unclipped stored actions. For the reference's {@code tanh} on the executed action
     * give the trainer {@code actionSquashing(ActionSquashing.TANH)}, and {@code batchSize(numEnvs / 2)} for its update
     * shape ({@code gorl train --preset paper --baseline dppo} does both).
     *
     * @return a new builder; its options can still be changed
     */
    public static Builder reference() {
        return new Builder().referencePpo().denoisingStd(0.05).perStepRatios(true).clip(0.2);
    }

    /** Options of DPPO; see {@link BaselineBuilder} for the shared ones. */
    public static final class Builder extends BaselineBuilder<Builder> {

        private double denoisingStd = 0.1;
        private boolean perStepRatios;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /**
         * The fixed std {@code sigma} of every denoising step.
         *
         * @param std {@code > 0}; default 0.1
         * @return this builder
         */
        public Builder denoisingStd(double std) {
            denoisingStd = Validate.positive("denoisingStd", std);
            return this;
        }

        /**
         * One ratio per denoising step, {@code r_k = N(x_{k-1}; mu_theta, sigma^2) / N(x_{k-1}; mu_old, sigma^2)},
         * each in the clipped surrogate with the row's advantage (the surrogate averages over rows and steps), as
         * the reference does, instead of one ratio for the whole chain (their product), which moves {@code K}
         * times as far per unit of log-ratio and so is clipped far sooner.
         *
         * @param enabled default false (one ratio per chain)
         * @return this builder
         */
        public Builder perStepRatios(boolean enabled) {
            perStepRatios = enabled;
            return this;
        }

        /**
         * Builds DPPO, named {@code "dppo"}; call {@link LatentPolicyOptimizer#initialize} before use.
         *
         * @return the optimizer
         */
        public LatentPolicyOptimizer build() {
            return new DenoisingChainPolicy(config("dppo", 0, denoisingStd, perStepRatios, Double.NaN, false,
                    false)).optimizer();
        }
    }

    /** DPPO's policy: a {@link GenerativePolicy} with {@code l_theta = log pi_theta(chain | s)}. */
    static final class DenoisingChainPolicy extends GenerativePolicy {

        DenoisingChainPolicy(BaselineConfig config) {
            super(config);
        }

        /** The chain before the action: {@code [x_K | x_{K-1} | ... | x_1]}. */
        @Override
        public int extraWidth() {
            return config.steps() * spec.actionDim();
        }

        /** {@code K} with per-step ratios, else 1. */
        @Override
        public int statisticWidth() {
            return config.perEntryRatios() ? config.steps() : 1;
        }

        private NDArray mean(NDArray normalizedObservations, NDArray x, NDArray t) {
            return x.sub(Scalars.timesInPlace(network(normalizedObservations, x, t), 1.0 / config.steps()));
        }

        @Override
        public Sample sample(NDArray normalizedObservations, SplittableRandom random, boolean deterministic) {
            NDManager scope = normalizedObservations.getManager();
            int n = Math.toIntExact(normalizedObservations.getShape().get(0));
            int actionDim = spec.actionDim();
            int steps = config.steps();
            NDArray x = deterministic ? scope.zeros(new Shape(n, actionDim)) : normal(scope, random, n, actionDim);
            NDList chain = new NDList();
            for (int k = steps; k >= 1; k--) {
                chain.add(x);
                NDArray t = scope.full(new Shape(n, 1), (float) k / steps);
                x = mean(normalizedObservations, x, t);
                if (!deterministic) {
                    x = x.add(normal(scope, random, n, actionDim).muli((float) config.denoisingStd()));
                }
            }
            return new Sample(x, deterministic ? null : NDArrays.concat(chain, 1), null);
        }

        /**
         * {@code sum_k log N(x_{k-1}; mu_theta(x_k, k; s), sigma^2 I)}, all steps in one batched pass: {@code [n]},
         * or the per-step terms {@code [n, K]} (for {@code k = K..1}) with per-step ratios.
         */
        @Override
        NDArray statistic(NDArray normalizedObservations, NDArray actions, NDArray extras) {
            long n = actions.getShape().get(0);
            int actionDim = spec.actionDim();
            int steps = config.steps();
            long obsDim = normalizedObservations.getShape().get(1);
            NDArray from = extras.reshape(n * steps, actionDim);
            // x_{k-1} for k = K..1: the chain shifted by one step, ending with the action x_0.
            NDArray to = (steps == 1 ? actions : NDArrays.concat(new NDList(extras.get(":, " + actionDim + ":"),
                    actions), 1)).reshape(n * steps, actionDim);
            float[] times = new float[Math.toIntExact(n * steps)];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < steps; j++) {
                    times[i * steps + j] = (float) (steps - j) / steps;
                }
            }
            NDManager scope = actions.getManager();
            NDArray t = scope.create(times, new Shape(n * steps, 1));
            NDArray s = normalizedObservations.expandDims(1).broadcast(n, steps, obsDim).reshape(n * steps, obsDim);
            NDArray mu = mean(s, from, t);
            NDArray std = scope.full(new Shape(n * steps, actionDim), (float) config.denoisingStd());
            NDArray perStep = Gaussian.logProbability(to, mu, std).reshape(n, steps);
            return config.perEntryRatios() ? perStep : perStep.sum(new int[] {1});
        }

        @Override
        String fileKind() {
            return FILE_KIND;
        }
    }
}
