package io.github.gorl.examples.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.DecodedVectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.decoders.nn.Adam;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.envs.Envs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GoRL-FM's encoder phase with the paper's learner (DESIGN.md §7) against two bounds measured in the same run:
 * the physics-only throughput of the same envs and the learner's compute bound, the matmul FLOP/s PyTorch
 * reaches here divided by the FLOPs per env step of the configured networks. Prints markdown tables.
 *
 * <p>The learner is latent PPO with the paper's settings: actor 4x32, critic 5x256, unroll 30, 32 minibatches,
 * 16 epochs, over {@code E} sync envs, so a minibatch holds {@code E * 30 / 32} rows (the paper's 2048 envs give
 * 1920). The decoder is a 4x64 flow-matching MLP with 10 Euler steps. For each env count the bench runs the
 * encoder phase directly ({@code LatentPolicyOptimizer.learn} on a {@link DecodedVectorEnv}, no evaluations or
 * refits), reports the last rollout (the first one at the smallest counts warms the JIT) and splits its time into
 * env stepping, decoder sampling, the PPO update (advantages and the minibatch updates: from the rollout's last env
 * step to its metrics event) and the rest (actor inference while collecting).
 *
 * <p>Times are CPU time of the benchmark's thread (see {@code cpuNanos()}), so that the ratios hold on a shared
 * machine; the table also gives the encoder phase's env steps per wall-clock second.
 *
 * <p>FLOPs per env step count {@code 2 x} the multiply-adds of: one actor forward and one critic forward (the
 * values after the rollout), {@code epochs x (actor + critic) x 3} forward-equivalents for the updates (backward is
 * about twice a forward), and 10 forwards of the flow MLP. The compute bound uses the FLOP/s of
 * {@code [1024,256]x[256,256]}; a second ratio uses the FLOP/s of {@code [rows,256]x[256,256]}, the critic's
 * hidden layer at the minibatch's size, which is what the hardware gives at that shape.
 *
 * <p>A second table takes one minibatch update apart (forward and loss, backward, gradient-norm clip, Adam, the one
 * read back of the statistics) with the same networks and a loss of the same op structure as latent PPO's, and
 * times Adam and the clip both fused (this library's {@link Adam}) and element-wise (the previous implementation,
 * about 8 native calls per parameter, kept here as the reference), alternating in the same process.
 *
 * <p>Run: {@code java -cp ... io.github.gorl.examples.bench.ComputeBoundBench [task] [envCounts] [updates]} with
 * the launcher's flags (one PyTorch thread), for instance {@code CheetahRun 64,256,1024,2048 40}; {@code envCounts}
 * {@code -} skips the training runs, {@code updates} 0 skips the update anatomy.
 */
public final class ComputeBoundBench {

    private static final int[] ACTOR = {32, 32, 32, 32};
    private static final int[] CRITIC = {256, 256, 256, 256, 256};
    private static final int[] FLOW = {64, 64, 64, 64};
    private static final int FLOW_STEPS = 10;
    private static final int TIME_EMBEDDING = 8;
    private static final int UNROLL = 30;
    private static final int MINIBATCHES = 32;
    private static final int EPOCHS = 16;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ComputeBoundBench() {}

    /**
     * This thread's CPU time in ns. With one PyTorch intra-op thread every op runs on the calling thread, and sync
     * envs step on it too, so the work measured here is the work done, whatever other processes on a shared
     * machine take; wall-clock figures are printed beside it.
     */
    static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /**
     * Runs the measurements and prints the tables.
     *
     * @param args optional task name, comma-separated env counts, and minibatch updates per anatomy row
     */
    public static void main(String[] args) {
        String task = args.length > 0 ? args[0] : "CheetahRun";
        // "-" skips the training runs; 0 anatomy updates skips the second table.
        int[] envCounts = args.length > 1 ? ("-".equals(args[1]) ? new int[0]
                : Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray())
                : new int[] {64, 256, 1024, 2048};
        int anatomyUpdates = args.length > 2 ? Integer.parseInt(args[2]) : 40;

        EnvSpec spec;
        try (VectorEnv probe = Envs.sync(i -> Envs.make(task), 1)) {
            spec = probe.spec();
        }
        int obs = spec.observationDim();
        int act = spec.actionDim();
        long actorMacs;
        long criticMacs;
        long flowMacs;
        try (NDManager manager = NDManager.newBaseManager();
                Mlp actor = new Mlp(manager, obs, ACTOR, 2 * act, 1);
                Mlp critic = new Mlp(manager, obs, CRITIC, 1, 2);
                Mlp flow = new Mlp(manager, obs + act + TIME_EMBEDDING, FLOW, act, 3)) {
            actorMacs = actor.multiplyAddsPerSample();
            criticMacs = critic.multiplyAddsPerSample();
            flowMacs = flow.multiplyAddsPerSample();
        }
        long rolloutMacs = actorMacs + criticMacs;
        long updateMacs = (long) EPOCHS * (actorMacs + criticMacs) * 3;
        long decodeMacs = (long) FLOW_STEPS * flowMacs;
        double flopsPerStep = 2.0 * (rolloutMacs + updateMacs + decodeMacs);

        double flopsBig = matmulFlops(1024, 256, 256, 300);
        double physics = physicsOnly(task, 64, 40_000);

        System.out.printf(Locale.ROOT, "%s: obs %d, act %d; actor 4x32, critic 5x256, unroll %d, %d minibatches x %d"
                + " epochs, flow 4x64 x %d steps; sync envs; 1 PyTorch thread%n%n", task, obs, act, UNROLL,
                MINIBATCHES, EPOCHS, FLOW_STEPS);
        System.out.println("| quantity | value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| matmul [1024,256]x[256,256], GFLOP per CPU-s | %.2f |%n", flopsBig / 1e9);
        System.out.printf(Locale.ROOT, "| multiply-adds per sample: actor / critic / flow MLP | %,d / %,d / %,d |%n",
                actorMacs, criticMacs, flowMacs);
        System.out.printf(Locale.ROOT, "| FLOPs per env step: rollout / PPO updates / decoder sampling | %,.0f / "
                + "%,.0f / %,.0f |%n", 2.0 * rolloutMacs, 2.0 * updateMacs, 2.0 * decodeMacs);
        System.out.printf(Locale.ROOT, "| FLOPs per env step, total | %,.0f |%n", flopsPerStep);
        System.out.printf(Locale.ROOT, "| compute bound ([1024,256]x[256,256] rate), env steps per CPU-s | %,.0f |%n",
                flopsBig / flopsPerStep);
        System.out.printf(Locale.ROOT, "| physics only (zero actions, 64 sync envs), env steps per CPU-s | %,.0f |%n%n",
                physics);

        System.out.println("| envs | minibatch rows | env steps per CPU-s | / compute bound | matmul [rows,256]x[256,256]"
                + " GFLOP per CPU-s | / bound at that rate | / physics only | env stepping | decoder sampling | PPO update"
                + " | actor inference and rest | update GFLOP/s | env steps per wall s |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int k = 0; k < envCounts.length; k++) {
            int envs = envCounts[k];
            int rows = envs * UNROLL / MINIBATCHES;
            int rollouts = k == 0 || envs <= 256 ? 2 : 1;
            RolloutTimes t = encoderPhase(task, envs, rollouts);
            double rowFlops = matmulFlops(Math.max(1, rows), 256, 256, Math.max(20, 300 * 1024 / Math.max(1, rows)));
            double batch = (double) envs * UNROLL;
            double total = batch / t.stepsPerSecond;
            double rest = total - t.env - t.decode - t.update;
            System.out.printf(Locale.ROOT, "| %d | %d | %,.0f | %.2f | %.1f | %.2f | %.3f | %.0f%% | %.0f%% | %.0f%%"
                    + " | %.0f%% | %.1f | %,.0f |%n", envs, rows, t.stepsPerSecond, t.stepsPerSecond / (flopsBig / flopsPerStep),
                    rowFlops / 1e9, t.stepsPerSecond / (rowFlops / flopsPerStep), t.stepsPerSecond / physics,
                    100 * t.env / total, 100 * t.decode / total, 100 * t.update / total, 100 * rest / total,
                    2.0 * (criticMacs + updateMacs) * batch / t.update / 1e9, t.wallStepsPerSecond);
        }

        if (anatomyUpdates <= 0) {
            return;
        }
        System.out.printf(Locale.ROOT, "%nOne minibatch update taken apart (%d updates per row count, CPU ms per update;"
                + " Adam and clip alternate between the fused and the element-wise path)%n%n", anatomyUpdates);
        System.out.println("| minibatch rows | forward + loss | backward | clip, fused | Adam, fused | clip,"
                + " element-wise | Adam, element-wise | read back | update total, fused | update total, element-wise"
                + " | matmul-only time at the big-matmul rate |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        int[] anatomyRows = {64, 256, 1024, 2048};
        for (int rows : anatomyRows) {
            double[] ms = anatomy(obs, act, rows, anatomyUpdates);
            double matmulMs = 2.0 * rows * (actorMacs + criticMacs) * 3 / flopsBig * 1e3;
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    rows, ms[0], ms[1], ms[2], ms[3], ms[4], ms[5], ms[6], ms[0] + ms[1] + ms[2] + ms[3] + ms[6],
                    ms[0] + ms[1] + ms[4] + ms[5] + ms[6], matmulMs);
        }
    }

    /** Wall-time split of the last measured rollout. */
    private record RolloutTimes(double wallStepsPerSecond, double stepsPerSecond, double env, double decode,
            double update) {}

    /** Latent PPO's encoder phase on {@code envs} sync envs and a flow decoder; times of the last rollout. */
    private static RolloutTimes encoderPhase(String task, int envs, int rollouts) {
        try (VectorEnv raw = Envs.sync(i -> Envs.make(task), envs);
                FlowMatchingDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(FLOW).steps(FLOW_STEPS)
                        .build();
                LatentPolicyOptimizer ppo = Ppo.latent().actorLayers(ACTOR).criticLayers(CRITIC)
                        .unrollLength(UNROLL).minibatches(MINIBATCHES).epochs(EPOCHS).rewardScaling(10).build()) {
            double[] last = new double[5];
            IterationClock.learn(raw, decoder, ppo, (long) rollouts * envs * UNROLL, t -> {
                last[0] = t.metrics().values().get("steps_per_second");
                last[1] = t.total();
                last[2] = t.physics();
                last[3] = t.decode();
                last[4] = t.update();
            });
            return new RolloutTimes(last[0], (double) envs * UNROLL / last[1], last[2], last[3], last[4]);
        }
    }

    /**
     * Times the parts of one PPO minibatch update with the paper's networks.
     *
     * @return CPU ms per update: forward + loss, backward, fused clip, fused Adam, element-wise clip, element-wise
     *     Adam, read back
     */
    private static double[] anatomy(int obs, int act, int rows, int updates) {
        double[] sums = new double[7];
        int[] counts = new int[7];
        SplittableRandom random = new SplittableRandom(5);
        try (NDManager manager = NDManager.newBaseManager();
                Mlp actor = new Mlp(manager, obs, ACTOR, 2 * act, 1);
                Mlp critic = new Mlp(manager, obs, CRITIC, 1, 2)) {
            List<NDArray> parameters = new ArrayList<>(actor.parameters());
            parameters.addAll(critic.parameters());
            try (Adam fused = new Adam(parameters, 1e-4);
                    ElementwiseAdam elementwise = new ElementwiseAdam(parameters, 1e-4)) {
                for (int u = -5; u < updates; u++) {
                    boolean useFused = (u & 1) == 0;
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray x = scope.create(gaussian(random, rows * obs), new Shape(rows, obs));
                        NDArray latents = scope.create(gaussian(random, rows * act), new Shape(rows, act));
                        NDArray oldLogProbabilities = scope.create(gaussian(random, rows), new Shape(rows));
                        NDArray advantages = scope.create(gaussian(random, rows), new Shape(rows));
                        NDArray returns = scope.create(gaussian(random, rows), new Shape(rows));
                        long t0 = cpuNanos();
                        NDArray loss;
                        NDArray stats;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray out = actor.forward(x);
                            NDArray mean = out.get(":, 0:" + act);
                            NDArray std = Activation.softPlus(out.get(":, " + act + ":")).add(1e-3f);
                            NDArray logStd = std.log();
                            NDArray logProbabilities = latents.sub(mean).div(std).square().mul(-0.5f).sub(logStd)
                                    .sum(new int[] {1});
                            NDArray logRatio = logProbabilities.sub(oldLogProbabilities);
                            NDArray ratio = logRatio.exp();
                            NDArray policyLoss = ratio.mul(advantages)
                                    .minimum(ratio.clip(0.7f, 1.3f).mul(advantages)).mean().neg();
                            NDArray valueLoss = critic.forward(x).reshape(rows).sub(returns).square().mean();
                            NDArray entropy = logStd.sum(new int[] {1}).mean();
                            NDArray kl = mean.square().add(std.square()).sub(logStd.mul(2)).sum(new int[] {1})
                                    .mean();
                            loss = policyLoss.add(valueLoss.mul(0.125f)).sub(entropy.mul(0.01f)).add(kl.mul(1e-3f));
                            stats = NDArrays.stack(new NDList(loss, policyLoss, valueLoss, entropy, kl,
                                    ratio.sub(1).sub(logRatio).mean(), std.mean()));
                            long t1 = cpuNanos();
                            collector.backward(loss);
                            add(sums, counts, 0, u, t1 - t0);
                            add(sums, counts, 1, u, cpuNanos() - t1);
                        }
                        long t2 = cpuNanos();
                        stats.toFloatArray();
                        long t3 = cpuNanos();
                        add(sums, counts, 6, u, t3 - t2);
                        if (useFused) {
                            fused.clipGradientNorm(1.0);
                            long t4 = cpuNanos();
                            fused.step();
                            add(sums, counts, 2, u, t4 - t3);
                            add(sums, counts, 3, u, cpuNanos() - t4);
                        } else {
                            elementwise.clipGradientNorm(1.0);
                            long t4 = cpuNanos();
                            elementwise.step();
                            add(sums, counts, 4, u, t4 - t3);
                            add(sums, counts, 5, u, cpuNanos() - t4);
                        }
                    }
                }
            }
        }
        double[] ms = new double[7];
        for (int k = 0; k < 7; k++) {
            ms[k] = counts[k] == 0 ? Double.NaN : sums[k] / counts[k] / 1e6;
        }
        return ms;
    }

    private static void add(double[] sums, int[] counts, int k, int update, long nanos) {
        if (update >= 0) {
            sums[k] += nanos;
            counts[k]++;
        }
    }

    static float[] gaussian(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /**
     * The element-wise Adam and clip that {@link Adam} used before its fused update, for comparison only: the
     * global norm from a square, a sum and a read back per parameter; the clip scales each gradient in place;
     * the update takes about a dozen element-wise calls per parameter.
     */
    private static final class ElementwiseAdam implements AutoCloseable {
        private final NDManager manager;
        private final List<NDArray> parameters;
        private final List<NDArray> m = new ArrayList<>();
        private final List<NDArray> v = new ArrayList<>();
        private final double learningRate;
        private long steps;

        ElementwiseAdam(List<NDArray> parameters, double learningRate) {
            this.parameters = parameters;
            this.learningRate = learningRate;
            this.manager = parameters.get(0).getManager().newSubManager();
            for (NDArray p : parameters) {
                m.add(manager.zeros(p.getShape()));
                v.add(manager.zeros(p.getShape()));
            }
        }

        double clipGradientNorm(double maxNorm) {
            double sumSquares = 0;
            for (NDArray p : parameters) {
                try (NDArray g = p.getGradient(); NDArray sq = g.square(); NDArray s = sq.sum()) {
                    sumSquares += s.getFloat();
                }
            }
            double norm = Math.sqrt(sumSquares);
            if (norm > maxNorm) {
                for (NDArray p : parameters) {
                    try (NDArray g = p.getGradient()) {
                        g.muli(maxNorm / (norm + 1e-6));
                    }
                }
            }
            return norm;
        }

        void step() {
            steps++;
            double c1 = 1 - Math.pow(0.9, steps);
            double c2 = 1 - Math.pow(0.999, steps);
            double stepSize = learningRate * Math.sqrt(c2) / c1;
            double eps = 1e-8 * Math.sqrt(c2);
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                try (NDArray g = p.getGradient()) {
                    m.get(i).muli(0.9);
                    try (NDArray scaled = g.mul(0.1)) {
                        m.get(i).addi(scaled);
                    }
                    v.get(i).muli(0.999);
                    try (NDArray sq = g.square()) {
                        sq.muli(0.001);
                        v.get(i).addi(sq);
                    }
                    try (NDArray denom = v.get(i).sqrt()) {
                        denom.addi(eps);
                        try (NDArray update = m.get(i).div(denom)) {
                            update.muli(stepSize);
                            p.subi(update);
                        }
                    }
                    g.muli(0);
                }
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Best-of-3 FLOP per CPU-second of {@code [m,k] x [k,n]} repeated {@code reps} times. */
    static double matmulFlops(int m, int k, int n, int reps) {
        double best = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomUniform(-1f, 1f, new Shape(m, k));
            NDArray b = manager.randomUniform(-1f, 1f, new Shape(k, n));
            for (int round = 0; round < 4; round++) {
                long t = cpuNanos();
                try (NDManager scope = manager.newSubManager()) {
                    for (int r = 0; r < reps; r++) {
                        NDArray c = a.matMul(b);
                        c.attach(scope);
                        c.close();
                    }
                }
                double s = (cpuNanos() - t) / 1e9;
                if (round > 0) {
                    best = Math.max(best, 2.0 * m * k * n * reps / s);
                }
            }
        }
        return best;
    }

    /** Env steps per CPU-second of a sync vector env of the task stepped with zero actions. */
    private static double physicsOnly(String task, int envs, int totalSteps) {
        try (VectorEnv env = Envs.sync(i -> Envs.make(task), envs)) {
            EnvSpec spec = env.spec();
            float[] observations = new float[envs * spec.observationDim()];
            float[] actions = new float[envs * spec.actionDim()];
            VectorStep out = new VectorStep(envs, spec.observationDim());
            env.reset(1, observations);
            for (int i = 0; i < 200; i++) {
                env.step(actions, out);
            }
            int iters = totalSteps / envs;
            long t = cpuNanos();
            for (int i = 0; i < iters; i++) {
                env.step(actions, out);
            }
            return (double) iters * envs / ((cpuNanos() - t) / 1e9);
        }
    }
}
