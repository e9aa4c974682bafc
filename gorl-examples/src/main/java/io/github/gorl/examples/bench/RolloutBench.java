package io.github.gorl.examples.bench;

import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.Preset;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Whether overlapping physics with policy and decoder inference across two cores can pay (issue 20, item 2), for
 * the DMControl CPU preset's learner. Prints a markdown table.
 *
 * <p>For each task and decoder (identity: stage 0 and Gaussian PPO; the CLI's flow and diffusion decoders: later
 * stages) the bench runs the preset's latent PPO on {@code n} sync envs (the preset's count) and on {@code n / 2},
 * and splits each iteration's CPU time of this thread into physics {@code P}, decoder sampling, actor inference
 * with the rest of collection, and the PPO update {@code U} (advantages and minibatch updates). {@code I(m)} is the
 * inference (actor plus decoder) of one vector step over {@code m} envs. Per vector step over {@code n} envs:
 *
 * <ul>
 *   <li><b>today, two cores</b>: the threaded env steps the physics on both cores, then one thread infers the whole
 *       batch: at best {@code P / 2 + I(n)};
 *   <li><b>two halves in a pipeline</b> (half A's physics on one core while half B's actions are inferred on the
 *       other): each half's chain is {@code I(n/2) + P/2} and the total work {@code P + 2 I(n/2)} is shared by two
 *       cores, so a vector step takes at least {@code P / 2 + I(n/2)}.
 * </ul>
 *
 * <p>The pipeline can therefore save at most {@code I(n) - I(n/2)} per vector step, what inference gets cheaper
 * at half the batch, on top of ideal physics threading in both designs (the hand-offs cost both alike). The last
 * columns give that ceiling as a speed-up of the rollout and of the whole iteration. A wall-clock column gives the
 * threaded env's own 2-thread vector step, which only means something on an idle machine.
 *
 * <p>Run: {@code ./gorl bench rollout [tasks] [iterations]}, for instance {@code CheetahRun,WalkerWalk 12}; one
 * PyTorch thread (the launcher's flags). Two short runs warm the JIT first; each configuration then runs twice in
 * the order n, n/2, n/2, n (averaged), and the first iteration of each run is not counted.
 */
public final class RolloutBench {

    private RolloutBench() {}

    /**
     * Runs the measurements and prints the table.
     *
     * @param args optional comma-separated tasks and measured iterations per configuration
     */
    public static void main(String[] args) {
        List<String> tasks = Arrays.asList((args.length > 0 ? args[0] : "CheetahRun,WalkerWalk").split(","));
        int iterations = Validate.positive("iterations", args.length > 1 ? Integer.parseInt(args[1]) : 12);
        System.out.println("CPU ms of this thread per vector step (P physics, I inference = actor + decoder) and per"
                + " iteration (U update); 1 PyTorch thread; " + iterations + " iterations per row after one warm-up");
        System.out.println();
        System.out.println("| task | decoder | envs n | P(n) | actor(n) | decoder(n) | actor(n/2) | decoder(n/2) | U per"
                + " iteration (vector steps) | rollout share, one core | rollout share, two cores today | ceiling:"
                + " rollout speed-up | ceiling: iteration speed-up | threaded env, 2 threads, wall ms |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // Warms the JIT on every code path before anything is counted.
        measure(tasks.get(0), Preset.cpu(tasks.get(0)), 8, decoder("diffusion"), 2);
        measure(tasks.get(0), Preset.cpu(tasks.get(0)), 8, decoder("flow"), 2);
        for (String task : tasks) {
            Preset preset = Preset.cpu(task);
            int n = preset.envs();
            double threadedWall = threadedStepMillis(task, n, 2_000);
            for (String name : List.of("identity", "flow", "diffusion")) {
                Supplier<GenerativeDecoder> decoder = decoder(name);
                // ABBA order, so that neither batch size gets the warmer JIT and caches.
                Split full = measure(task, preset, n, decoder, iterations);
                Split half = measure(task, preset, n / 2, decoder, iterations).mean(
                        measure(task, preset, n / 2, decoder, iterations));
                full = full.mean(measure(task, preset, n, decoder, iterations));
                double inferenceFull = full.actor + full.decode;
                double inferenceHalf = half.actor + half.decode;
                double v = full.vectorSteps;
                double today = full.physics / 2 + inferenceFull;
                double pipeline = full.physics / 2 + Math.min(inferenceFull, inferenceHalf);
                double oneCoreShare = v * (full.physics + inferenceFull) / (v * (full.physics + inferenceFull)
                        + full.update);
                double todayShare = v * today / (v * today + full.update);
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f (%d) | %.0f%%"
                        + " | %.0f%% | %.2fx | %.3fx | %.3f |%n", task, name, n, full.physics, full.actor, full.decode,
                        half.actor, half.decode, full.update, full.vectorSteps, 100 * oneCoreShare, 100 * todayShare,
                        today / pipeline, (v * today + full.update) / (v * pipeline + full.update), threadedWall);
            }
        }
    }

    /** The command line's decoder of that name (identity, flow or diffusion), built anew for each run. */
    private static Supplier<GenerativeDecoder> decoder(String name) {
        return switch (name) {
            case "identity" -> IdentityDecoder::new;
            case "flow" -> () -> FlowMatchingDecoder.builder().build();
            case "diffusion" -> () -> DiffusionDecoder.builder().build();
            default -> throw new IllegalArgumentException("decoder must be identity, flow or diffusion, got " + name);
        };
    }

    /**
     * Mean CPU ms: per vector step of physics, decoder sampling and actor inference with the rest of collection; per
     * iteration of the update; and the vector steps per iteration.
     */
    private record Split(double physics, double decode, double actor, double update, int vectorSteps) {
        Split mean(Split other) {
            return new Split((physics + other.physics) / 2, (decode + other.decode) / 2, (actor + other.actor) / 2,
                    (update + other.update) / 2, vectorSteps);
        }
    }

    /** Runs the preset's latent PPO on {@code envs} sync envs and the decoder; averages all but the first iteration. */
    private static Split measure(String task, Preset preset, int envs, Supplier<GenerativeDecoder> decoderFactory,
            int iterations) {
        try (VectorEnv raw = Envs.sync(i -> Envs.make(task), envs);
                GenerativeDecoder decoder = decoderFactory.get();
                LatentPolicyOptimizer ppo = preset.ppo().build()) {
            double[] sums = new double[4];
            int[] seen = new int[1];
            // The first iteration warms up and is not counted.
            int vectorSteps = preset.unrollLength();
            IterationClock.learn(raw, decoder, ppo, (long) (iterations + 1) * envs * vectorSteps, t -> {
                if (seen[0]++ > 0) {
                    sums[0] += t.physics() * 1e3;
                    sums[1] += t.decode() * 1e3;
                    sums[2] += t.actor() * 1e3;
                    sums[3] += t.update() * 1e3;
                }
            });
            int counted = seen[0] - 1;
            if (counted < 1) {
                throw new IllegalStateException("expected " + (iterations + 1) + " encoder metrics events, got "
                        + seen[0]);
            }
            double steps = (double) counted * vectorSteps;
            return new Split(sums[0] / steps, sums[1] / steps, sums[2] / steps, sums[3] / counted, vectorSteps);
        }
    }

    /** Wall ms per vector step of the threaded env with two threads, zero actions, after a warm-up of 200 steps. */
    private static double threadedStepMillis(String task, int envs, int steps) {
        try (VectorEnv env = Envs.threaded(i -> Envs.make(task), envs, 2)) {
            float[] observations = new float[envs * env.spec().observationDim()];
            float[] actions = new float[envs * env.spec().actionDim()];
            VectorStep out = new VectorStep(envs, env.spec().observationDim());
            env.reset(11, observations);
            for (int k = 0; k < 200; k++) {
                env.step(actions, out);
            }
            long t = System.nanoTime();
            for (int k = 0; k < steps; k++) {
                env.step(actions, out);
            }
            return (System.nanoTime() - t) / 1e6 / steps;
        }
    }
}
