package io.github.gorl.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Validate;
import java.util.SplittableRandom;

/**
 * FPO, flow policy optimization (McAllister et al., 2025): PPO whose policy is a conditional flow-matching
 * model over actions and whose likelihood ratio is estimated from flow-matching losses.
 *
 * <p><b>Policy.</b> A velocity MLP {@code v_theta(x_t, t; s)} on {@code [normalize(s), x_t, embed(t)]},
 * sampled like {@code FlowMatchingDecoder}: {@code x_1 = eps ~ N(0, I)}, {@code steps} Euler steps
 * {@code x_{t - dt} = x_t - dt * v_theta(x_t, t; s)}, action {@code a = x_0}.
 *
 * <p><b>Ratio.</b> At rollout time each {@code (s, a)} gets {@code N = mcSamples} fixed draws
 * {@code (eps_i, t_i)}, {@code eps_i ~ N(0, I)}, {@code t_i ~ U(0, 1)}; with
 * {@code x_{t_i} = t_i eps_i + (1 - t_i) a},
 * <pre>
 *   L_theta(s, a) = (1 / N) sum_i || v_theta(x_{t_i}, t_i; s) - (eps_i - a) ||^2,
 *   r = exp(L_old(s, a) - L_theta(s, a))
 * </pre>
 * with {@code L_old} computed once before the update; {@code r} enters PPO's clipped surrogate. Lowering the
 * flow-matching loss at {@code a} raises the ELBO-style likelihood surrogate of {@code a}, so {@code r > 1}.
 *
 * <p><b>Stability.</b> {@code r} is the exponential of a difference of Monte-Carlo loss estimates, bounded by
 * nothing: on Pendulum a handful of samples reached {@code r ~ 1e18} after ~120k steps, and the clipped
 * surrogate's loss for a negative advantage, {@code -r A}, took the network with it. FPO therefore uses dual
 * clipping by default ({@link BaselineBuilder#dualClip}, {@code c = 3}); {@code dualClip(Double.NaN)} restores the
 * plain clipped surrogate. It also defaults to 32 Monte-Carlo draws and a learning rate of 1e-4, the settings with
 * which it trained stably on Pendulum. That is not enough everywhere: on CheetahRun, with many small updates per env
 * step (64 minibatches of 128 rows per 1,024 env steps, the command line's CPU preset), both these defaults and
 * {@link #reference()} collapsed within 0.2-0.9M env steps, while {@link #reference()} on the reference's update
 * shape ({@code batchSize}, large iterations) trained stably; see docs/baselines.md, "FPO on DMControl".
 *
 * <p><b>Reference settings.</b> {@link #reference()} is the authors' FPO (GoRL's {@code configs/methods/fpo.toml},
 * run by the upstream FPO code): 8 draws with {@code t} on the sampler's grid {@code {1, (K-1)/K, ..., 1/K}}, one
 * ratio per draw {@code r_i = exp(clip(L_old,i - L_theta,i, -3, 3))} (the surrogate averages over rows and draws),
 * the per-draw loss {@code mean_d((1 - t_i)^2 (v_theta - (eps_i - a))^2)} ("u, supervised as eps"), a 4 x 32
 * policy whose output is scaled by 0.25, clip 0.05, learning rate 3e-4 and no gradient-norm clip. It is not
 * tuned for Pendulum, on which this class's defaults were tuned; see docs/baselines.md.
 *
 * <p>Use with the {@code IdentityDecoder} and {@code StageSchedule.single(steps, 0)}:
 * <pre>{@code
 * LatentPolicyOptimizer fpo = Fpo.builder().mcSamples(32).steps(10).build();
 * }</pre>
 */
public final class Fpo {

    /** The {@link io.github.gorl.decoders.nn.TensorFile} kind of saved FPO optimizers. */
    public static final String FILE_KIND = "fpo";

    private Fpo() {}

    /**
     * A builder with the defaults of {@link BaselineBuilder} except three: 32 Monte-Carlo {@code (eps, t)} draws, dual
     * clip 3 and learning rate 1e-4 (at 3e-4 two of three Pendulum seeds ran with clip fractions of 0.6-0.9 and
     * did not learn; see docs/baselines.md).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with the reference's FPO settings (docs/fidelity.md lists each with its
     * source): the shared PPO settings of {@code fpo.toml}, 8 Monte-Carlo draws, {@code t} on the 10-step grid,
     * per-draw ratios with the log-ratio clipped to {@code [-3, 3]}, noise supervision, output scale 0.25, clip
     * 0.05, learning rate 3e-4, no gradient-norm clip, no dual clip, unclipped stored actions. For the reference's
     * {@code tanh} on the executed action give the trainer {@code actionSquashing(ActionSquashing.TANH)}; for its
     * update shape {@code batchSize(numEnvs / 2)} (sequence minibatches); the stage must carry the clip
     * ({@code gorl train --preset paper --baseline fpo} does both).
     *
     * @return a new builder; its options can still be changed
     */
    public static Builder reference() {
        return new Builder().referencePpo().mcSamples(8).perSampleRatios(true).logRatioClip(3).gridTimes(true)
                .noiseSupervision(true).clip(0.05);
    }

    /** Options of FPO; see {@link BaselineBuilder} for the shared ones. */
    public static final class Builder extends BaselineBuilder<Builder> {

        private int mcSamples = 32;
        private boolean perSampleRatios;
        private double logRatioClip = Double.NaN;
        private boolean gridTimes;
        private boolean noiseSupervision;

        private Builder() {
            dualClip = 3;
            learningRate = 1e-4;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The {@code (eps, t)} draws per {@code (s, a)} of the flow-matching loss estimate.
         *
         * @param count {@code > 0}; default 32 (with 8, the ratio's noise drove the clip fraction to 0.6-0.8 and
         *     FPO stalled at -866 on Pendulum, seed 1, 150k steps; 32 reached -186, see docs/baselines.md)
         * @return this builder
         */
        public Builder mcSamples(int count) {
            mcSamples = Validate.positive("mcSamples", count);
            return this;
        }

        /**
         * One ratio per Monte-Carlo draw, {@code r_i = exp(L_old,i - L_theta,i)}, each in the clipped surrogate with
         * the row's advantage (the surrogate averages over rows and draws), instead of one ratio of the mean loss
         * difference per row. The reference does this, with {@link #logRatioClip} 3.
         *
         * @param enabled default false (one ratio per row)
         * @return this builder
         */
        public Builder perSampleRatios(boolean enabled) {
            perSampleRatios = enabled;
            return this;
        }

        /**
         * Bounds each log-ratio to {@code [-c, c]} before {@code exp}, so that one outlying draw cannot produce a
         * huge ratio; entries at the bound get no gradient. The reference's per-draw ratio is
         * {@code exp(clip(dL, -3, 3))}.
         *
         * @param c {@code > 0} and finite, or {@code Double.NaN} for none; default none
         * @return this builder
         */
        public Builder logRatioClip(double c) {
            if (!Double.isNaN(c) && !(c > 0 && c < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("logRatioClip must be > 0 and finite, or NaN for none, got " + c);
            }
            logRatioClip = c;
            return this;
        }

        /**
         * Draws each {@code t_i} uniformly from the sampler's {@code steps} start times
         * {@code {1, (K-1)/K, ..., 1/K}} (never 0) instead of {@code U(0, 1)}, as the reference does, so that the
         * loss is estimated where the Euler sampler queries the velocity.
         *
         * @param enabled default false ({@code t ~ U(0, 1)})
         * @return this builder
         */
        public Builder gridTimes(boolean enabled) {
            gridTimes = enabled;
            return this;
        }

        /**
         * The reference's per-draw loss ("u, supervised as eps"): the velocity's implied noise
         * {@code x_t + (1 - t) v_theta} against {@code eps}, averaged over action dimensions,
         * {@code mean_d((1 - t)^2 (v_theta - (eps - a))^2)}, instead of {@code sum_d (v_theta - (eps - a))^2}. The
         * weight {@code (1 - t)^2} makes draws near the noise end count little.
         *
         * @param enabled default false
         * @return this builder
         */
        public Builder noiseSupervision(boolean enabled) {
            noiseSupervision = enabled;
            return this;
        }

        /**
         * Builds FPO, named {@code "fpo"}; call {@link LatentPolicyOptimizer#initialize} before use.
         *
         * @return the optimizer
         */
        public LatentPolicyOptimizer build() {
            return new FlowPolicy(config("fpo", mcSamples, Double.NaN, perSampleRatios, logRatioClip, gridTimes,
                    noiseSupervision)).optimizer();
        }
    }

    /** FPO's policy: a {@link GenerativePolicy} with {@code l_theta = -L_theta}. */
    static final class FlowPolicy extends GenerativePolicy {

        FlowPolicy(BaselineConfig config) {
            super(config);
        }

        /** {@code [eps_1 .. eps_N (N * actionDim) | t_1 .. t_N]}. */
        @Override
        public int extraWidth() {
            return config.mcSamples() * (spec.actionDim() + 1);
        }

        /** {@code N} with per-sample ratios, else 1. */
        @Override
        public int statisticWidth() {
            return config.perEntryRatios() ? config.mcSamples() : 1;
        }

        @Override
        public double logRatioClip() {
            return config.logRatioClip();
        }

        @Override
        public Sample sample(NDArray normalizedObservations, SplittableRandom random, boolean deterministic) {
            NDManager scope = normalizedObservations.getManager();
            int n = Math.toIntExact(normalizedObservations.getShape().get(0));
            int actionDim = spec.actionDim();
            int steps = config.steps();
            double dt = 1.0 / steps;
            NDArray x = deterministic ? scope.zeros(new Shape(n, actionDim)) : normal(scope, random, n, actionDim);
            for (int k = 0; k < steps; k++) {
                NDArray t = scope.full(new Shape(n, 1), (float) (1.0 - k * dt));
                x = x.sub(network(normalizedObservations, x, t).muli((float) dt));
            }
            // The executed action: the env clips to its bounds, and the ratio is estimated at the clipped action,
            // so that an action outside the bounds never becomes a flow-matching target.
            if (config.clipActions()) {
                x = x.maximum(scope.create(spec.actionLow())).minimum(scope.create(spec.actionHigh()));
            }
            if (deterministic) {
                return new Sample(x, null, null);
            }
            int samples = config.mcSamples();
            float[] extras = new float[n * samples * (actionDim + 1)];
            int width = samples * (actionDim + 1);
            for (int i = 0; i < n; i++) {
                int base = i * width;
                for (int k = 0; k < samples * actionDim; k++) {
                    extras[base + k] = (float) random.nextGaussian();
                }
                for (int k = 0; k < samples; k++) {
                    // Grid: one of the sampler's start times 1, (K-1)/K, ..., 1/K, as the reference draws t.
                    extras[base + samples * actionDim + k] = config.gridTimes()
                            ? (float) (steps - random.nextInt(steps)) / steps : (float) random.nextDouble();
                }
            }
            return new Sample(x, scope.create(extras, new Shape(n, width)), null);
        }

        /**
         * {@code -L_theta(s, a)}, so that {@code l_theta - l_old = L_old - L_theta}: {@code [n]}, or per draw
         * {@code [n, N]} with per-sample ratios.
         */
        @Override
        NDArray statistic(NDArray normalizedObservations, NDArray actions, NDArray extras) {
            NDArray perDraw = perDrawLoss(normalizedObservations, actions, extras);
            return (config.perEntryRatios() ? perDraw : perDraw.mean(new int[] {1})).neg();
        }

        /**
         * {@code L_theta(s, a)} with the stored draws.
         *
         * @param normalizedObservations {@code [n, observationDim]}
         * @param actions {@code [n, actionDim]}
         * @param extras {@code [n, mcSamples * (actionDim + 1)]}
         * @return {@code [n]}
         */
        NDArray flowMatchingLoss(NDArray normalizedObservations, NDArray actions, NDArray extras) {
            return perDrawLoss(normalizedObservations, actions, extras).mean(new int[] {1});
        }

        /**
         * The flow-matching loss of each stored draw: {@code ||v_theta(x_t, t; s) - (eps - a)||^2}, or with noise
         * supervision {@code mean_d((1 - t)^2 (v_theta - (eps - a))^2)}.
         *
         * @param normalizedObservations {@code [n, observationDim]}
         * @param actions {@code [n, actionDim]}
         * @param extras {@code [n, mcSamples * (actionDim + 1)]}
         * @return {@code [n, mcSamples]}
         */
        NDArray perDrawLoss(NDArray normalizedObservations, NDArray actions, NDArray extras) {
            long n = actions.getShape().get(0);
            int actionDim = spec.actionDim();
            int samples = config.mcSamples();
            long obsDim = normalizedObservations.getShape().get(1);
            // Row i's N draws are consecutive: [n, N, .] flattened to [n * N, .].
            NDArray eps = extras.get(":, 0:" + samples * actionDim).reshape(n * samples, actionDim);
            NDArray t = extras.get(":, " + samples * actionDim + ":").reshape(n * samples, 1);
            NDArray s = normalizedObservations.expandDims(1).broadcast(n, samples, obsDim).reshape(n * samples,
                    obsDim);
            NDArray a = actions.expandDims(1).broadcast(n, samples, actionDim).reshape(n * samples, actionDim);
            NDArray target = eps.sub(a);
            NDArray xt = a.add(target.mul(t));
            NDArray difference = network(s, xt, t).sub(target);
            NDArray error;
            if (config.noiseSupervision()) {
                // eps - (x_t + (1 - t) v) = (1 - t) (eps - a - v); t is data, so (1 - t) holds no graph scalar.
                error = difference.mul(t.neg().add(1f)).square().mean(new int[] {1});
            } else {
                error = difference.square().sum(new int[] {1});
            }
            return error.reshape(n, samples);
        }

        @Override
        String fileKind() {
            return FILE_KIND;
        }
    }
}
