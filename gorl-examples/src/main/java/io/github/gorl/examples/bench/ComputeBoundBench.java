package io.github.gorl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Phase;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.envs.Envs;
import java.util.Locale;

/**
 * GoRL-FM training throughput against two bounds measured in the same run (DESIGN.md §7): the physics-only
 * throughput of the same vector env (zero actions), and the learner's compute bound, the matmul FLOP/s PyTorch
 * reaches on this machine divided by the FLOPs per env step of the configured networks. Prints markdown tables.
 *
 * <p>FLOPs per env step count {@code 2 x} the multiply-adds of: one actor and one critic forward during the
 * rollout (the critic values the batch after it), {@code epochs x (actor + critic) x 3} forward-equivalents for
 * the PPO updates (backward is about twice a forward), and {@code steps} forwards of the flow decoder's velocity
 * MLP for sampling. Decoder refits and evaluations are outside the bound and reported as time shares.
 *
 * <p>Run: {@code java -cp ... io.github.gorl.examples.bench.ComputeBoundBench [task] [steps] [envs]} with the
 * launcher's flags (one PyTorch thread), for instance {@code CheetahRun 32768 16}.
 */
public final class ComputeBoundBench {

    private static final int[] ACTOR = {32, 32, 32, 32};
    private static final int[] CRITIC = {64, 64};
    private static final int[] FLOW = {64, 64, 64, 64};
    private static final int FLOW_STEPS = 10;
    private static final int TIME_EMBEDDING = 8;
    private static final int EPOCHS = 8;

    private ComputeBoundBench() {}

    /**
     * Runs the three measurements and prints the tables.
     *
     * @param args optional task name, encoder steps and number of envs
     */
    public static void main(String[] args) {
        String task = args.length > 0 ? args[0] : "CheetahRun";
        long steps = args.length > 1 ? Long.parseLong(args[1]) : 32_768;
        int envs = args.length > 2 ? Integer.parseInt(args[2]) : 16;

        EnvSpec spec;
        try (VectorEnv probe = Envs.sync(i -> Envs.make(task), 1)) {
            spec = probe.spec();
        }
        int obs = spec.observationDim();
        int act = spec.actionDim();

        double flopsBig = matmulFlops(1024, 256, 256, 300);
        double flopsSmall = matmulFlops(1024, 64, 64, 3000);
        double flopsMinibatch = matmulFlops(128, 64, 64, 20_000);
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

        double physics = physicsOnly(task, envs, 40_000);

        System.out.printf(Locale.ROOT, "%s: obs %d, act %d; %d sync envs; 1 PyTorch thread%n%n", task, obs, act,
                envs);
        System.out.println("| quantity | value |");
        System.out.println("|---|---:|");
        System.out.printf(Locale.ROOT, "| matmul [1024,256]x[256,256], GFLOP/s | %.2f |%n", flopsBig / 1e9);
        System.out.printf(Locale.ROOT, "| matmul [1024,64]x[64,64], GFLOP/s | %.2f |%n", flopsSmall / 1e9);
        System.out.printf(Locale.ROOT, "| matmul [128,64]x[64,64] (a PPO minibatch layer), GFLOP/s; us per call"
                + " | %.2f; %.1f |%n", flopsMinibatch / 1e9, 2.0 * 128 * 64 * 64 / flopsMinibatch * 1e6);
        System.out.printf(Locale.ROOT, "| multiply-adds per sample: actor / critic / flow MLP | %,d / %,d / %,d |%n",
                actorMacs, criticMacs, flowMacs);
        System.out.printf(Locale.ROOT, "| FLOPs per env step: rollout / PPO updates / decoder sampling | %,.0f / "
                + "%,.0f / %,.0f |%n", 2.0 * rolloutMacs, 2.0 * updateMacs, 2.0 * decodeMacs);
        System.out.printf(Locale.ROOT, "| FLOPs per env step, total | %,.0f |%n", flopsPerStep);
        System.out.printf(Locale.ROOT, "| compute bound (big matmul), env steps/s | %,.0f |%n",
                flopsBig / flopsPerStep);
        System.out.printf(Locale.ROOT, "| compute bound (64-wide matmul), env steps/s | %,.0f |%n",
                flopsSmall / flopsPerStep);
        System.out.printf(Locale.ROOT, "| physics only (zero actions), env steps/s | %,.0f |%n%n", physics);

        TrainingBench.PhaseClock clock = new TrainingBench.PhaseClock();
        long start = System.nanoTime();
        TrainingResult result;
        try (VectorEnv train = Envs.sync(i -> Envs.make(task), envs);
                VectorEnv eval = Envs.sync(i -> Envs.make(task), 2)) {
            TrainingBench.Timed timedEnv = new TrainingBench.Timed(train, clock);
            TrainingBench.TimedDecoder decoder = new TrainingBench.TimedDecoder(FlowMatchingDecoder.builder()
                    .hiddenLayers(FLOW).steps(FLOW_STEPS).build(), clock);
            try (GoRL agent = GoRL.builder().env(timedEnv).evalEnv(eval)
                    .optimizer(Ppo.latent().actorLayers(ACTOR).criticLayers(CRITIC).unrollLength(64).minibatches(8)
                            .epochs(EPOCHS).rewardScaling(10).build())
                    .decoder(decoder).schedule(StageSchedule.of(steps / 2, steps - steps / 2).decoderEpochs(5))
                    .decoderDataSize(8_000).decoderBatchSize(4096).evalEvery(steps).seed(1).listener(clock)
                    .build()) {
                result = agent.train();
            }
        }
        clock.close();
        double wall = (System.nanoTime() - start) / 1e9;
        double encoder = clock.seconds(Phase.ENCODER);
        double env = clock.envSeconds.getOrDefault(Phase.ENCODER, 0.0);
        double decode = clock.decodeSeconds.getOrDefault(Phase.ENCODER, 0.0);
        double optimizer = encoder - env - decode;
        double achieved = result.envSteps() / encoder;
        System.out.println("| run | env steps/s (encoder phase) | / physics only | / compute bound (big matmul)"
                + " | / compute bound (64-wide) | env stepping | decoder sampling | optimizer (inference + updates)"
                + " | decoder phases | evaluations | wall s | final return |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| GoRL-FM (2 stages) | %,.0f | %.3f | %.2f | %.2f | %.0f%% | %.0f%% | %.0f%%"
                + " | %.0f%% | %.0f%% | %.1f | %.1f |%n", achieved, achieved / physics,
                achieved / (flopsBig / flopsPerStep), achieved / (flopsSmall / flopsPerStep), 100 * env / wall,
                100 * decode / wall, 100 * optimizer / wall, 100 * clock.seconds(Phase.DECODER) / wall,
                100 * clock.seconds(Phase.EVALUATION) / wall, wall, result.finalEvalReturn());
        System.out.printf(Locale.ROOT, "%nEncoder phase: %.1f s = env %.1f s + decoder sampling %.1f s + optimizer"
                + " %.1f s; %,d env steps; optimizer reaches %.2f GFLOP/s on its counted FLOPs%n", encoder, env,
                decode, optimizer, result.envSteps(), 2.0 * (rolloutMacs + updateMacs) * result.envSteps()
                        / optimizer / 1e9);
    }

    /** Best-of-3 FLOP/s of {@code [m,k] x [k,n]} repeated {@code reps} times. */
    private static double matmulFlops(int m, int k, int n, int reps) {
        double best = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(m, k));
            NDArray b = manager.randomUniform(-1f, 1f, new ai.djl.ndarray.types.Shape(k, n));
            for (int round = 0; round < 4; round++) {
                long t = System.nanoTime();
                try (NDManager scope = manager.newSubManager()) {
                    for (int r = 0; r < reps; r++) {
                        NDArray c = a.matMul(b);
                        c.attach(scope);
                        c.close();
                    }
                }
                double s = (System.nanoTime() - t) / 1e9;
                if (round > 0) {
                    best = Math.max(best, 2.0 * m * k * n * reps / s);
                }
            }
        }
        return best;
    }

    /** Env steps per second of a sync vector env of the task stepped with zero actions. */
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
            long t = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                env.step(actions, out);
            }
            return (double) iters * envs / ((System.nanoTime() - t) / 1e9);
        }
    }
}
