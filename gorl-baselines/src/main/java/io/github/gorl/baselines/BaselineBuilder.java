package io.github.gorl.baselines;

import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Validate;
import io.github.gorl.core.Preset;

/**
 * The options that {@link Fpo.Builder} and {@link Dppo.Builder} share: the PPO machinery (critic, GAE,
 * clipped surrogate, minibatch epochs) around a generative policy of {@code steps} network evaluations.
 * Defaults follow gorl-java's latent PPO where they apply (unroll 30, 32 minibatches, 16 epochs, discount
 * 0.995, GAE lambda 0.95, reward scaling 10, value loss 0.25, critic 5 x 256) with a 4 x 64 policy network
 * and learning rate 3e-4, as for the flow decoder. No entropy term: a generative policy has no closed-form
 * entropy.
 *
 * @param <B> the concrete builder
 */
public abstract class BaselineBuilder<B extends BaselineBuilder<B>> {

    int[] policyLayers = {64, 64, 64, 64};
    int[] criticLayers = {256, 256, 256, 256, 256};
    int steps = 10;
    int timeEmbeddingDim = 8;
    int unrollLength = 30;
    int minibatches = 32;
    int epochs = 16;
    double learningRate = 3e-4;
    double gamma = 0.995;
    double gaeLambda = 0.95;
    double rewardScaling = 10;
    double valueLossCoefficient = 0.25;
    double clip = 0.2;
    double dualClip = Double.NaN;
    double targetKl = Double.POSITIVE_INFINITY;
    double gradNormClip = 0.5;
    int batchSize;
    boolean clipActions = true;
    boolean normalizeObservations = true;
    boolean normalizeAdvantages = true;
    double observationClip = 10;
    double outputScale = 1;

    BaselineBuilder() {}

    abstract B self();

    /**
     * Applies a CPU preset's PPO settings: critic widths, unroll length, minibatches, epochs, reward scaling and
     * discount ({@code Preset.cpu(task)}); the policy network and the baseline's own options keep their values.
     *
     * @param preset the preset
     * @return this builder
     */
    public B preset(Preset preset) {
        Validate.notNull("preset", preset);
        return criticLayers(preset.criticLayers()).unrollLength(preset.unrollLength()).minibatches(preset.minibatches())
                .epochs(preset.epochs()).rewardScaling(preset.rewardScaling()).gamma(preset.gamma());
    }

    /**
     * Hidden widths of the policy network (velocity or denoiser) on {@code [normalize(s), x, embed(t)]}.
     *
     * @param widths each {@code > 0}; default 64, 64, 64, 64
     * @return this builder
     */
    public B hiddenLayers(int... widths) {
        policyLayers = widths(widths);
        return self();
    }

    /**
     * Hidden widths of the critic {@code V(s)}.
     *
     * @param widths each {@code > 0}; default 256 x 5
     * @return this builder
     */
    public B criticLayers(int... widths) {
        criticLayers = widths(widths);
        return self();
    }

    /**
     * Network evaluations per action: Euler steps (FPO) or denoising steps (DPPO).
     *
     * @param count {@code > 0}; default 10
     * @return this builder
     */
    public B steps(int count) {
        steps = Validate.positive("steps", count);
        return self();
    }

    /**
     * Size of the sinusoidal time embedding.
     *
     * @param dim even, {@code > 0}; default 8
     * @return this builder
     */
    public B timeEmbeddingDim(int dim) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new IllegalArgumentException("timeEmbeddingDim must be even and > 0, got " + dim);
        }
        timeEmbeddingDim = dim;
        return self();
    }

    /**
     * Env steps per sub-environment per rollout.
     *
     * @param length {@code > 0}; default 30
     * @return this builder
     */
    public B unrollLength(int length) {
        unrollLength = Validate.positive("unrollLength", length);
        return self();
    }

    /**
     * Minibatches per epoch.
     *
     * @param count {@code > 0}; default 32
     * @return this builder
     */
    public B minibatches(int count) {
        minibatches = Validate.positive("minibatches", count);
        return self();
    }

    /**
     * Passes over each rollout.
     *
     * @param count {@code > 0}; default 16
     * @return this builder
     */
    public B epochs(int count) {
        epochs = Validate.positive("epochs", count);
        return self();
    }

    /**
     * Adam's learning rate (policy and critic).
     *
     * @param lr {@code > 0}; default 3e-4
     * @return this builder
     */
    public B learningRate(double lr) {
        learningRate = Validate.positive("learningRate", lr);
        return self();
    }

    /**
     * The discount.
     *
     * @param discount in {@code (0, 1]}; default 0.995
     * @return this builder
     */
    public B gamma(double discount) {
        if (!(discount > 0 && discount <= 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1], got " + discount);
        }
        gamma = discount;
        return self();
    }

    /**
     * The GAE lambda.
     *
     * @param lambda in {@code [0, 1]}; default 0.95
     * @return this builder
     */
    public B gaeLambda(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("gaeLambda must be in [0, 1], got " + lambda);
        }
        gaeLambda = lambda;
        return self();
    }

    /**
     * The factor on rewards before GAE.
     *
     * @param scale {@code > 0}; default 10
     * @return this builder
     */
    public B rewardScaling(double scale) {
        rewardScaling = Validate.positive("rewardScaling", scale);
        return self();
    }

    /**
     * The weight of the value loss.
     *
     * @param coefficient {@code >= 0}; default 0.25
     * @return this builder
     */
    public B valueLossCoefficient(double coefficient) {
        valueLossCoefficient = Validate.nonNegative("valueLossCoefficient", coefficient);
        return self();
    }

    /**
     * The PPO clip {@code eps} until a stage sets its own ({@link LatentPolicyOptimizer#beginStage}).
     *
     * @param epsilon in {@code (0, 1)}; default 0.2
     * @return this builder
     */
    public B clip(double epsilon) {
        if (!(epsilon > 0 && epsilon < 1)) {
            throw new IllegalArgumentException("clip must be in (0, 1), got " + epsilon);
        }
        clip = epsilon;
        return self();
    }

    /**
     * Dual clipping of the surrogate (Ye et al., 2020): a sample with a negative advantage contributes at most
     * {@code c * |A|} to the loss, so a ratio far above 1 can no longer produce an unbounded loss or gradient. The
     * log-ratio is also clamped to {@code [-20, 20]} before {@code exp}, which changes no gradient once dual
     * clipping is on (such rows are clipped either way) and keeps {@code exp} finite.
     *
     * @param c {@code > 1}, or {@code Double.NaN} for none; default none for DPPO and 3 for FPO, whose
     *     loss-difference ratio is unbounded (without it FPO diverged on Pendulum, see docs/baselines.md)
     * @return this builder
     */
    public B dualClip(double c) {
        if (!Double.isNaN(c) && !(c > 1 && c < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("dualClip must be > 1 and finite, or NaN for none, got " + c);
        }
        dualClip = c;
        return self();
    }

    /**
     * Stops an update's epochs early once an epoch's mean {@code approx_kl} (the {@code (r - 1) - log r}
     * estimate over its minibatches) exceeds this bound, as many PPO implementations do; the metrics report the
     * epochs run as {@code update_epochs}.
     *
     * @param bound {@code > 0}, or {@code Double.POSITIVE_INFINITY} for none; default none for DPPO, 0.05 for FPO
     * @return this builder
     */
    public B targetKl(double bound) {
        if (!(bound > 0)) {
            throw new IllegalArgumentException("targetKl must be > 0 (or +Infinity for none), got " + bound);
        }
        targetKl = bound;
        return self();
    }

    /**
     * The global gradient-norm clip until a stage sets its own.
     *
     * @param maxNorm {@code > 0}, or {@code Double.POSITIVE_INFINITY} for none (the reference's plain Adam; the
     *     metrics still report {@code grad_norm}); default 0.5
     * @return this builder
     */
    public B gradNormClip(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("gradNormClip must be > 0 (or +Infinity for none), got " + maxNorm);
        }
        gradNormClip = maxNorm;
        return self();
    }

    /**
     * The factor on the policy network's output: velocity (FPO) or denoiser (DPPO) is {@code scale * f(...)}, in
     * sampling and in the statistic alike. The reference's {@code policy_mlp_output_scale} is 0.25, which keeps the
     * freshly initialized network's output, and so the first policy, close to the noise it starts from.
     *
     * @param scale {@code > 0}; default 1
     * @return this builder
     */
    public B outputScale(double scale) {
        outputScale = Validate.positive("outputScale", scale);
        return self();
    }

    /**
     * Whether networks see running-normalized observations.
     *
     * @param enabled default true
     * @return this builder
     */
    public B normalizeObservations(boolean enabled) {
        normalizeObservations = enabled;
        return self();
    }

    /**
     * Whether each minibatch's advantages are rescaled to mean 0, std 1.
     *
     * @param enabled default true
     * @return this builder
     */
    public B normalizeAdvantages(boolean enabled) {
        normalizeAdvantages = enabled;
        return self();
    }

    /**
     * The bound on normalized observations.
     *
     * @param bound {@code > 0}; default 10
     * @return this builder
     */
    public B observationClip(double bound) {
        observationClip = Validate.positive("observationClip", bound);
        return self();
    }

    /**
     * The reference's (Brax's) update shape: minibatches of {@code sequences} whole sequences of {@code unrollLength}
     * steps, GAE per minibatch (see {@code Ppo.Builder.batchSize}).
     *
     * @param sequences sequences per minibatch, {@code >= 0}; 0 (the default) keeps shuffled transitions
     * @return this builder
     */
    public B batchSize(int sequences) {
        batchSize = (int) Validate.nonNegative("batchSize", (long) sequences);
        return self();
    }

    /**
     * Whether the sampled action is clipped to the bounds before it is stored and executed (the default, so that the
     * ratio is estimated at the executed action). The reference stores the unclipped action and executes
     * {@code tanh} of it: turn this off and give the trainer {@code actionSquashing(ActionSquashing.TANH)}.
     *
     * @param enabled default true
     * @return this builder
     */
    public B clipActions(boolean enabled) {
        clipActions = enabled;
        return self();
    }

    /*
     * Applies the PPO settings that the reference's {@code fpo.toml} and {@code dppo.toml} share (those that apply
     * to a run on this machine's envs): critic 5 x 256, policy 4 x 32, 10 steps, time embedding 8, output scale
     * 0.25, learning rate 3e-4, no gradient-norm clip, no dual clip or target KL, discount 0.995, GAE lambda 0.95,
     * reward scaling 10, value loss 0.25, normalized observations and advantages, unroll 30, 32 minibatches, 16
     * epochs.
     */
    B referencePpo() {
        dualClip = Double.NaN;
        clipActions = false;
        targetKl = Double.POSITIVE_INFINITY;
        return hiddenLayers(32, 32, 32, 32).criticLayers(256, 256, 256, 256, 256).steps(10).timeEmbeddingDim(8)
                .outputScale(0.25).learningRate(3e-4).gradNormClip(Double.POSITIVE_INFINITY).gamma(0.995)
                .gaeLambda(0.95).rewardScaling(10).valueLossCoefficient(0.25).normalizeObservations(true)
                .normalizeAdvantages(true).unrollLength(30).minibatches(32).epochs(16);
    }

    BaselineConfig config(String name, int mcSamples, double denoisingStd, boolean perEntryRatios,
            double logRatioClip, boolean gridTimes, boolean noiseSupervision) {
        return new BaselineConfig(name, policyLayers.clone(), criticLayers.clone(), steps, timeEmbeddingDim,
                mcSamples, denoisingStd, unrollLength, minibatches, epochs, learningRate, gamma, gaeLambda,
                rewardScaling, valueLossCoefficient, clip, dualClip, targetKl, gradNormClip, normalizeObservations,
                normalizeAdvantages, observationClip, outputScale, perEntryRatios, logRatioClip, gridTimes,
                noiseSupervision, batchSize, clipActions);
    }

    private static int[] widths(int... widths) {
        Validate.notNull("widths", widths);
        for (int w : widths) {
            Validate.positive("layer width", w);
        }
        return widths.clone();
    }
}
