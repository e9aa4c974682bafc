package io.github.gorl.examples.bench;

import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;

/**
 * A vector env wrapper that sums the CPU time of its steps, remembers when the last one ended and when the last reset
 * ended (all in the calling thread's CPU time, {@link ComputeBoundBench#cpuNanos()}). The benches wrap the raw env
 * and the decoded env in one each: the inner clock is physics, the outer minus the inner is decoding.
 */
final class StepClock extends ForwardingVectorEnv {
    /** CPU seconds spent in {@link #step} so far. */
    double seconds;
    /** CPU time when the last step ended. */
    long lastEnd = ComputeBoundBench.cpuNanos();
    /** CPU time when the last reset ended; the benches move it forward to mark their windows. */
    long windowStart = ComputeBoundBench.cpuNanos();

    StepClock(VectorEnv env) {
        super(env, false);
    }

    @Override
    public void reset(long seed, float[] observations) {
        env.reset(seed, observations);
        windowStart = ComputeBoundBench.cpuNanos();
    }

    @Override
    public void step(float[] actions, VectorStep out) {
        long t = ComputeBoundBench.cpuNanos();
        env.step(actions, out);
        lastEnd = ComputeBoundBench.cpuNanos();
        seconds += (lastEnd - t) / 1e9;
    }
}
