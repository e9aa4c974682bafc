package io.github.gorl.api;

/**
 * How an unbounded action (the decoder's output, or a Gaussian policy's sample) becomes the action the environment
 * executes, inside the spec's bounds {@code [low, high]}. One choice serves every path of a run: the training env, the
 * evaluation, the decoder's data and {@link Policy#actInBounds}.
 */
public enum ActionSquashing {

    /**
     * Clip to {@code [low, high]}; the decoder learns the clipped, executed actions. With the stage-0 latent
     * {@code N(0, I)} and bounds {@code [-1, 1]} about a third of the actions sit on a bound.
     */
    CLIP,

    /**
     * {@code low + (high - low) * (tanh(x) + 1) / 2}, which is {@code tanh(x)} for bounds {@code [-1, 1]}: the paper's
     * setting (the reference applies {@code tanh} right before {@code env.step}). The decoder learns the pre-squash
     * actions.
     */
    TANH;

    /**
     * Maps one action component into its bounds; NaN stays NaN, so a diverged learner is still noticed.
     *
     * @param x the unbounded value
     * @param low the lower bound
     * @param high the upper bound, {@code >= low}
     * @return the executed value, in {@code [low, high]} (or NaN)
     */
    public float apply(float x, float low, float high) {
        if (Float.isNaN(x)) {
            return x;
        }
        if (this == CLIP) {
            return Math.max(low, Math.min(high, x));
        }
        double squashed = Math.tanh(x);
        if (low == -1f && high == 1f) {
            return (float) squashed;
        }
        return (float) (low + (high - low) * (squashed + 1) * 0.5);
    }

    /**
     * Maps a row-major batch {@code [n, actionDim]} into the spec's bounds.
     *
     * @param raw the unbounded actions, length a multiple of {@code actionDim}
     * @param out the executed actions, same length (may be {@code raw})
     * @param spec gives {@code actionDim}, {@code low} and {@code high}
     */
    public void apply(float[] raw, float[] out, EnvSpec spec) {
        float[] low = spec.actionLow();
        float[] high = spec.actionHigh();
        int d = spec.actionDim();
        if (out.length != raw.length || raw.length % d != 0) {
            throw new IllegalArgumentException("raw (length " + raw.length + ") and out (length " + out.length
                    + ") must hold the same whole rows of actionDim " + d);
        }
        for (int j = 0; j < raw.length; j++) {
            out[j] = apply(raw[j], low[j % d], high[j % d]);
        }
    }
}
