package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import java.util.function.IntFunction;

/** Steps every sub-env in the caller's thread, one after the other. Created by {@link Envs#sync}. */
final class SyncVectorEnv implements VectorEnv {

    private final SubEnvs subEnvs;
    /** False before the first reset and after a failed step, whose sub-envs are in an unknown state. */
    private boolean ready;
    private boolean closed;

    SyncVectorEnv(IntFunction<Env> factory, int numEnvs) {
        this.subEnvs = new SubEnvs(factory, numEnvs);
    }

    @Override
    public EnvSpec spec() {
        return subEnvs.spec;
    }

    @Override
    public int numEnvs() {
        return subEnvs.numEnvs;
    }

    @Override
    public void reset(long seed, float[] observations) {
        ensureOpen();
        ready = false;
        subEnvs.beginReset(seed, observations);
        subEnvs.reset(0, subEnvs.numEnvs, observations);
        ready = true;
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        ensureOpen();
        if (!ready) {
            throw new IllegalStateException("reset the VectorEnv before stepping it (first use, or a sub-env "
                    + "failed in the previous step)");
        }
        subEnvs.beginStep(actions, out);
        try {
            subEnvs.step(0, subEnvs.numEnvs, actions, out);
        } catch (RuntimeException | Error e) {
            ready = false;
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this VectorEnv is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            subEnvs.close();
        }
    }

    @Override
    public String toString() {
        return "SyncVectorEnv[" + subEnvs.spec.id() + " x " + subEnvs.numEnvs + "]";
    }
}
