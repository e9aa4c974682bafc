package io.github.gorl.examples.bench;

import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;

/**
 * A vector env that passes every call to another one; the benches extend it to time or count the calls they care
 * about. {@link #close()} closes the wrapped env only when {@code ownsEnv}.
 */
abstract class ForwardingVectorEnv implements VectorEnv {

    /** The wrapped env. */
    final VectorEnv env;
    private final boolean ownsEnv;

    ForwardingVectorEnv(VectorEnv env, boolean ownsEnv) {
        this.env = env;
        this.ownsEnv = ownsEnv;
    }

    @Override
    public EnvSpec spec() {
        return env.spec();
    }

    @Override
    public int numEnvs() {
        return env.numEnvs();
    }

    @Override
    public void reset(long seed, float[] observations) {
        env.reset(seed, observations);
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        env.step(actions, out);
    }

    @Override
    public void close() {
        if (ownsEnv) {
            env.close();
        }
    }
}
