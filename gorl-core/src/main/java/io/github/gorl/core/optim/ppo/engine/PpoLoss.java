package io.github.gorl.core.optim.ppo.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Scalars;

/**
 * The terms of the latent-PPO loss, each a scalar mean over the minibatch; inputs {@code [batch]} unless noted.
 *
 * <p>Never multiply a tensor of the graph by a Java number ({@code mul(Number)}, also {@code div}, {@code pow},
 * {@code maximum}, {@code minimum}): DJL 0.36 wraps the number in a tensor over a Java direct buffer and closes
 * it at once, autograd keeps that tensor for the backward pass, and a garbage collection in between frees its
 * memory, so the gradient is computed from garbage. {@link #scaled} uses a scalar that PyTorch owns instead.
 *
 * <p>Internal: shared by gorl-java's optimizers; not part of the stable API.
 */
public final class PpoLoss {

    private PpoLoss() {}

    /**
     * {@code x * value}, safe inside a gradient collector (see the class comment).
     *
     * @param x any tensor
     * @param value the factor
     * @return a new tensor, attached to the manager of {@code x}
     */
    public static NDArray scaled(NDArray x, double value) {
        return Scalars.times(x, value);
    }

    /**
     * The clipped surrogate (Schulman et al., 2017), to minimize:
     * {@code mean(max(-A * r, -A * clip(r, 1 - eps, 1 + eps)))} with {@code r = exp(logp - logpOld)}.
     *
     * @param ratio {@code r}
     * @param advantages {@code A}
     * @param clip {@code eps}
     * @return the scalar loss
     */
    public static NDArray clippedSurrogate(NDArray ratio, NDArray advantages, double clip) {
        NDArray unclipped = advantages.mul(ratio).negi();
        NDArray clipped = advantages.mul(ratio.clip((float) (1 - clip), (float) (1 + clip))).negi();
        return unclipped.maximum(clipped).mean();
    }

    /**
     * The clipped surrogate with dual clipping (Ye et al., 2020), to minimize: as {@link #clippedSurrogate}, but a
     * row with {@code A < 0} contributes at most {@code -c * A}. For {@code A < 0} the clipped surrogate's loss
     * {@code -r A} grows without bound in {@code r}, and so does its gradient; beyond {@code r = c} the row's loss
     * is constant and its gradient zero.
     *
     * @param ratio {@code r}
     * @param advantages {@code A}
     * @param clip {@code eps}
     * @param dualClip {@code c > 1}
     * @return the scalar loss
     */
    public static NDArray dualClippedSurrogate(NDArray ratio, NDArray advantages, double clip, double dualClip) {
        NDArray unclipped = advantages.mul(ratio).negi();
        NDArray clipped = advantages.mul(ratio.clip((float) (1 - clip), (float) (1 + clip))).negi();
        NDArray loss = unclipped.maximum(clipped);
        NDArray bound = Scalars.times(advantages, -dualClip);
        return NDArrays.where(advantages.lt(0f), loss.minimum(bound), loss).mean();
    }

    /**
     * The value loss {@code mean((V - R)^2)}, which the engine weights by {@code c_v} (0.25: the reference's
     * {@code 0.25 * mean((V - R)^2)}, {@code flow_policy/ppo.py}); with clipping, the pessimistic
     * {@code mean(max((V - R)^2, (V_old + clip(V - V_old, -eps, eps) - R)^2))} of the original PPO code.
     *
     * @param values {@code V(s)} of the current critic
     * @param targets the value targets {@code R}
     * @param oldValues the rollout's values {@code V_old}, used only when clipping
     * @param clip {@code eps}, or NaN for no clipping
     * @return the scalar loss
     */
    public static NDArray valueLoss(NDArray values, NDArray targets, NDArray oldValues, double clip) {
        NDArray squared = values.sub(targets).square();
        if (!Double.isNaN(clip)) {
            NDArray clippedValues = values.sub(oldValues).clip((float) -clip, (float) clip).addi(oldValues);
            squared = squared.maximum(clippedValues.sub(targets).square());
        }
        return squared.mean();
    }

    /**
     * The penalty {@code mean_s KL(pi_theta(. | s) || N(0, I))}, or the reference code's surrogate.
     *
     * @param mean {@code [batch, latentDim]}
     * @param std {@code [batch, latentDim]}
     * @param mode which penalty
     * @return the scalar penalty, to be weighted by {@code beta}
     */
    public static NDArray klToPrior(NDArray mean, NDArray std, Ppo.KlMode mode) {
        NDArray perState = mode == Ppo.KlMode.ANALYTIC
                ? Gaussian.klToStandardNormal(mean, std)
                : Gaussian.squaredMoments(mean, std);
        return perState.mean();
    }
}
