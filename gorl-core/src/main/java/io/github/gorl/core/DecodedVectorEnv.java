package io.github.gorl.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.decoders.IdentityDecoder;

/**
 * The latent environment of GoRL's encoder phase: the frozen decoder is part of the environment.
 *
 * <p>It takes latent actions {@code eps} of shape {@code [numEnvs, actionDim]}, decodes them in one batch
 * into actions {@code a = g_phi(s, eps)} with the observations the latents were chosen for, and steps the
 * real {@link VectorEnv} with them, squashed by the run's {@link ActionSquashing} ({@code CLIP}: passed as they are,
 * the env clips them to its bounds; {@code TANH}: squashed into the bounds here). Any RL algorithm that learns on
 * a continuous {@code VectorEnv} therefore learns the latent policy without knowing about decoders.
 *
 * <p>With a bounded latent (the reference's humanoid profile, {@link GoRL.Builder#boundedLatent}) the decoder
 * receives {@code tanh(u)} of the latent action {@code u} it is stepped with.
 *
 * <p>The spec is the real one with an unbounded latent action of the same size. The decoder must not change
 * while this env is used; the env does not own the wrapped env or the decoder and closes neither.
 */
public final class DecodedVectorEnv implements VectorEnv {

    private final VectorEnv env;
    private final GenerativeDecoder decoder;
    private final NDManager manager;
    private final EnvSpec spec;
    private final int numEnvs;
    private final float[] observations;
    private final float[] lastActions;
    private final boolean identity;
    private final ActionSquashing squashing;
    private final float[] executed;
    private final float[] bounded;
    private boolean started;

    /**
     * Wraps a real vector env and a frozen decoder.
     *
     * @param env the real environment
     * @param decoder the frozen decoder, initialized for {@code env.spec()}
     * @param manager the manager under which the per-step decoding scopes are created
     */
    public DecodedVectorEnv(VectorEnv env, GenerativeDecoder decoder, NDManager manager) {
        this(env, decoder, manager, ActionSquashing.CLIP);
    }

    /**
     * Wraps a real vector env and a frozen decoder, squashing decoded actions as {@code squashing} says.
     *
     * @param env the real environment
     * @param decoder the frozen decoder, initialized for {@code env.spec()}
     * @param manager the manager under which the per-step decoding scopes are created
     * @param squashing how decoded actions become executed ones
     */
    public DecodedVectorEnv(VectorEnv env, GenerativeDecoder decoder, NDManager manager, ActionSquashing squashing) {
        this(env, decoder, manager, squashing, false);
    }

    /**
     * Wraps a real vector env and a frozen decoder; with {@code boundedLatent} the decoder receives {@code tanh} of
     * each latent ({@link BoundedLatent}).
     */
    DecodedVectorEnv(VectorEnv env, GenerativeDecoder decoder, NDManager manager, ActionSquashing squashing,
            boolean boundedLatent) {
        this.squashing = Validate.notNull("squashing", squashing);
        this.env = Validate.notNull("env", env);
        this.decoder = Validate.notNull("decoder", decoder);
        this.manager = Validate.notNull("manager", manager);
        EnvSpec real = env.spec();
        this.spec = real.latent(real.actionDim());
        this.numEnvs = env.numEnvs();
        this.observations = new float[numEnvs * real.observationDim()];
        this.lastActions = new float[numEnvs * real.actionDim()];
        this.identity = decoder instanceof IdentityDecoder;
        this.executed = new float[lastActions.length];
        this.bounded = boundedLatent ? new float[lastActions.length] : null;
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public int numEnvs() {
        return numEnvs;
    }

    @Override
    public void reset(long seed, float[] out) {
        Validate.length("observations", out, observations.length);
        env.reset(seed, observations);
        System.arraycopy(observations, 0, out, 0, observations.length);
        started = true;
    }

    @Override
    public void step(float[] latents, VectorStep out) {
        if (!started) {
            throw new IllegalStateException("reset the decoded env before stepping it");
        }
        Validate.length("latents", latents, lastActions.length);
        if (bounded != null) {
            BoundedLatent.apply(latents, bounded);
            decode(observations, bounded, lastActions);
        } else {
            decode(observations, latents, lastActions);
        }
        if (squashing == ActionSquashing.CLIP) {
            env.step(lastActions, out);
        } else {
            squashing.apply(lastActions, executed, env.spec());
            env.step(executed, out);
        }
        System.arraycopy(out.observations(), 0, observations, 0, observations.length);
    }

    /**
     * Decodes a batch of latents into actions with the frozen decoder.
     *
     * @param obs {@code [numEnvs, observationDim]}
     * @param latents {@code [numEnvs, actionDim]}
     * @param actions output {@code [numEnvs, actionDim]}
     */
    void decode(float[] obs, float[] latents, float[] actions) {
        if (identity) {
            // Stage 0 and Gaussian PPO: skip the tensor round trip, the map is exactly eps -> eps.
            System.arraycopy(latents, 0, actions, 0, actions.length);
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray o = scope.create(obs, new Shape(numEnvs, spec.observationDim()));
            NDArray e = scope.create(latents, new Shape(numEnvs, spec.actionDim()));
            float[] decoded = decoder.decode(o, e).toFloatArray();
            System.arraycopy(decoded, 0, actions, 0, actions.length);
        }
    }

    /**
     * The (unsquashed) actions the decoder produced in the last step, row-major {@code [numEnvs, actionDim]}.
     *
     * @return the backing array, overwritten by the next step
     */
    public float[] lastActions() {
        return lastActions;
    }

    /**
     * The wrapped real environment.
     *
     * @return the env
     */
    public VectorEnv unwrapped() {
        return env;
    }

    /** Does nothing: the wrapped env and the decoder belong to the caller. */
    @Override
    public void close() {}
}
