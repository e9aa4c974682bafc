package io.github.gorl.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Policy;
import io.github.gorl.api.Validate;

/**
 * The composed policy {@code a = g_phi(s, eps)}, {@code eps ~ pi_theta(.|s)}; with a bounded latent
 * ({@link GoRL.Builder#boundedLatent}) {@code a = g_phi(s, tanh(u))}, {@code u ~ pi_theta(.|s)}, so the deterministic
 * action decodes {@code tanh(mean)} and a stochastic one {@code tanh(sample)}.
 */
final class ComposedPolicy implements Policy {

    private final EnvSpec spec;
    private final LatentPolicyOptimizer optimizer;
    private final GenerativeDecoder decoder;
    private final NDManager manager;
    private final ActionSquashing squashing;
    private final boolean boundedLatent;

    ComposedPolicy(EnvSpec spec, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder, NDManager manager,
            ActionSquashing squashing, boolean boundedLatent) {
        this.squashing = squashing;
        this.boundedLatent = boundedLatent;
        this.spec = spec;
        this.optimizer = optimizer;
        this.decoder = decoder;
        this.manager = manager;
    }

    @Override
    public float[] act(float[] observation) {
        Validate.length("observation", observation, spec.observationDim());
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(observation, new Shape(1, spec.observationDim()));
            return act(obs, true).toFloatArray();
        }
    }

    /** The deterministic action squashed as the run squashes it ({@code tanh} or clip). */
    @Override
    public float[] actInBounds(float[] observation) {
        float[] raw = act(observation);
        float[] out = new float[raw.length];
        squashing.apply(raw, out, spec);
        return out;
    }

    /**
     * How this policy's actions become executed ones.
     *
     * @return the run's squashing
     */
    ActionSquashing squashing() {
        return squashing;
    }

    @Override
    public NDArray act(NDArray observations, boolean deterministic) {
        Validate.rows("observations", observations, spec.observationDim());
        NDArray latents = optimizer.act(observations, deterministic);
        return decoder.decode(observations, boundedLatent ? BoundedLatent.apply(latents) : latents);
    }

    /**
     * Acts on a row-major batch held in Java arrays, in one tensor round trip.
     *
     * @param observations {@code [n, observationDim]}
     * @param n the number of rows
     * @param deterministic mean latent or sampled latent
     * @param actions output {@code [n, actionDim]}
     */
    void act(float[] observations, int n, boolean deterministic, float[] actions) {
        act(observations, n, deterministic, actions, null);
    }

    /**
     * Like {@link #act(float[], int, boolean, float[])}, also returning the latents the actions were decoded from.
     *
     * @param observations {@code [n, observationDim]}
     * @param n the number of rows
     * @param deterministic mean latent or sampled latent
     * @param actions output {@code [n, actionDim]}
     * @param latents output {@code [n, actionDim]}, the latents the decoder received (the encoder's {@code eps}; with a
     *     bounded latent {@code tanh(u)}), or {@code null} when not wanted
     */
    void act(float[] observations, int n, boolean deterministic, float[] actions, float[] latents) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(observations, new Shape(n, spec.observationDim()));
            NDArray eps = optimizer.act(obs, deterministic);
            if (boundedLatent) {
                eps = BoundedLatent.apply(eps);
            }
            float[] a = decoder.decode(obs, eps).toFloatArray();
            System.arraycopy(a, 0, actions, 0, n * spec.actionDim());
            if (latents != null) {
                System.arraycopy(eps.toFloatArray(), 0, latents, 0, n * spec.actionDim());
            }
        }
    }

    /**
     * The actions of an encoder whose mean latent is the prior's, as a stage that starts the encoder at its prior
     * ({@code EncoderInit.PRIOR}, {@code PRIOR_WARM_VALUE}) acts deterministically: {@code g_phi(s, 0)} ({@code tanh(0)}
     * is 0 too, so a bounded latent changes nothing).
     *
     * @param observations {@code [n, observationDim]}
     * @param n the number of rows
     * @param actions output {@code [n, actionDim]}, unsquashed
     */
    void actAtPriorMean(float[] observations, int n, float[] actions) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray obs = scope.create(observations, new Shape(n, spec.observationDim()));
            NDArray zero = scope.zeros(new Shape(n, spec.actionDim()));
            float[] a = decoder.decode(obs, zero).toFloatArray();
            System.arraycopy(a, 0, actions, 0, n * spec.actionDim());
        }
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }
}
