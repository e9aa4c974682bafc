package io.github.gorl.examples.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.DecodedVectorEnv;
import java.util.function.Consumer;

/**
 * Splits each encoder iteration of a latent optimizer's {@code learn} call into physics, decoder sampling and the
 * update, in CPU seconds of the training thread, from two {@link StepClock}s: {@code inner} around the raw env,
 * {@code outer} around the decoded env. An iteration runs from the previous encoder metrics event (or the end of the
 * env reset) to this one; its update is the time since the last physics step ended (advantages and minibatch
 * updates); what is left of it is actor inference and the rest of collection.
 */
final class IterationClock implements TrainingListener {

    /** One iteration's CPU seconds, with the metrics event that ended it. */
    record Times(Metrics metrics, double total, double physics, double decode, double update) {
        /** CPU seconds of actor inference and the rest of collection. */
        double actor() {
            return total - physics - decode - update;
        }
    }

    private final StepClock inner;
    private final StepClock outer;
    private final Consumer<Times> sink;
    private double physicsMark;
    private double decodeMark;

    IterationClock(StepClock inner, StepClock outer, Consumer<Times> sink) {
        this.inner = inner;
        this.outer = outer;
        this.sink = sink;
    }

    /**
     * Initializes {@code decoder} and {@code optimizer} on the CPU for {@code raw} (seeds 3 and 1), runs the encoder
     * phase for {@code steps} env steps on the decoded env and hands every iteration's split to {@code sink}. Closes
     * nothing it was given.
     */
    static void learn(VectorEnv raw, GenerativeDecoder decoder, LatentPolicyOptimizer optimizer, long steps,
            Consumer<Times> sink) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Device device = Device.cpu();
            decoder.initialize(raw.spec(), device, 3);
            StepClock inner = new StepClock(raw);
            StepClock outer = new StepClock(new DecodedVectorEnv(inner, decoder, manager));
            optimizer.initialize(outer.spec(), device, 1);
            optimizer.learn(outer, steps, new IterationClock(inner, outer, sink));
        }
    }

    @Override
    public void onMetrics(Metrics metrics) {
        if (metrics.phase() != Phase.ENCODER) {
            return;
        }
        long now = ComputeBoundBench.cpuNanos();
        double total = (now - outer.windowStart) / 1e9;
        double physics = inner.seconds - physicsMark;
        double decode = outer.seconds - inner.seconds - decodeMark;
        double update = (now - inner.lastEnd) / 1e9;
        physicsMark = inner.seconds;
        decodeMark = outer.seconds - inner.seconds;
        outer.windowStart = now;
        sink.accept(new Times(metrics, total, physics, decode, update));
    }
}
