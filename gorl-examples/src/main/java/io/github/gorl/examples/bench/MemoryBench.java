package io.github.gorl.examples.bench;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.core.PaperPreset;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import io.github.gorl.envs.dmc.DmControl;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Memory over a long run: the live NDArrays of every manager and the process RSS across many PPO updates on
 * Pendulum, to show that nothing leaks per update (docs/benchmarks.md, "Memory").
 *
 * <pre>{@code
 * java -cp ... io.github.gorl.examples.bench.MemoryBench [updates=1000] [every=100] [envs=8] [unroll=32]
 * }</pre>
 *
 * <p>One update is one {@code learn} call of {@code envs * unroll} env steps: a rollout, GAE, and
 * {@code epochs x minibatches} gradient steps (here 2 x 4, to keep the run short).
 *
 * <p>A second mode runs iterations of the paper preset's encoder (latent PPO at the reference's update shape,
 * identity decoder, as in stage 0) at a given env count and prints, per iteration, the time and the Java heap
 * allocated per env step by every thread in its rollout and in its update, and the process's peak RSS
 * ({@code VmHWM}).
 *
 * <pre>{@code
 * java -cp ... io.github.gorl.examples.bench.MemoryBench iteration [task=CheetahRun] [envs=2048] [iterations=2]
 * }</pre>
 */
public final class MemoryBench {

    private MemoryBench() {}

    /**
     * Prints the table.
     *
     * @param args {@code [updates] [every] [envs] [unroll]}
     * @throws IOException if {@code /proc/self/status} cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("iteration")) {
            iteration(args.length > 1 ? args[1] : "CheetahRun", args.length > 2 ? Integer.parseInt(args[2]) : 2048,
                    args.length > 3 ? Integer.parseInt(args[3]) : 2);
            return;
        }
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int envs = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int unroll = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        Device cpu = Device.cpu();
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), envs)) {
            LatentPolicyOptimizer ppo = Ppo.latent().unrollLength(unroll).minibatches(4).epochs(2).build();
            ppo.initialize(env.spec(), cpu, 1);
            ppo.resetToPrior();
            System.out.printf(Locale.ROOT, "%8s %12s %10s %10s%n", "updates", "live arrays", "RSS MB", "heap MB");
            print(0, cpu);
            long start = System.nanoTime();
            for (int u = 1; u <= updates; u++) {
                ppo.learn(env, (long) envs * unroll, TrainingListener.NONE);
                if (u % every == 0) {
                    print(u, cpu);
                }
            }
            System.out.printf(Locale.ROOT, "%d updates in %.0f s%n", updates, (System.nanoTime() - start) / 1e9);
            ppo.close();
            System.out.printf(Locale.ROOT, "after close: %d live arrays%n", liveArrays(cpu));
        }
    }

    /**
     * Paper-shape encoder iterations at {@code envs} envs (the reference's 2048 gives 983,040 env steps each). The
     * first iteration also allocates the rollout's storage once; the later ones show the steady state. Each is split
     * at its last env step into the rollout (env steps, actor inference, storage) and the update (GAE, 512
     * minibatch steps).
     */
    private static void iteration(String task, int envs, int iterations) throws IOException {
        PaperPreset preset = PaperPreset.of(task).envs(envs);
        long steps = preset.iterationSteps();
        Device cpu = Device.cpu();
        try (PhaseClock env = new PhaseClock(DmControl.vector(task, envs), steps / envs)) {
            LatentPolicyOptimizer ppo = preset.ppo().build();
            ppo.initialize(env.spec(), cpu, 1);
            ppo.resetToPrior();
            int obs = env.spec().observationDim();
            int act = env.spec().actionDim();
            System.out.printf(Locale.ROOT, "%s, %d envs: %d iterations of %,d env steps (%d per env), obs %d, act %d%n",
                    task, envs, iterations, steps, steps / envs, obs, act);
            System.out.printf(Locale.ROOT, "peak RSS before: %.0f MB, RSS %.0f MB%n", statusMegabytes("VmHWM:"),
                    rssMegabytes());
            System.out.printf(Locale.ROOT, "%9s %10s %12s %10s %12s %13s%n", "iteration", "rollout s", "rollout B/st",
                    "update s", "update B/st", "peak RSS MB");
            for (int i = 1; i <= iterations; i++) {
                env.begin();
                ppo.learn(env, steps, TrainingListener.NONE);
                long end = System.nanoTime();
                long heapEnd = allocatedBytes();
                System.out.printf(Locale.ROOT, "%9d %10.1f %12.1f %10.1f %12.1f %13.0f%n", i,
                        (env.rolloutEndNanos - env.startNanos) / 1e9, (double) (env.rolloutEndHeap - env.startHeap) / steps,
                        (end - env.rolloutEndNanos) / 1e9, (double) (heapEnd - env.rolloutEndHeap) / steps,
                        statusMegabytes("VmHWM:"));
            }
            System.out.printf(Locale.ROOT, "Java heap in use after: %.0f MB (B/st: bytes of Java heap allocated by all "
                    + "threads per env step)%n", usedHeapMegabytes());
            ppo.close();
        }
    }

    /**
     * A vector env that notes the time and the heap allocated at the first env step of an iteration and after its
     * last one, so an iteration splits into rollout and update.
     */
    private static final class PhaseClock extends ForwardingVectorEnv {
        private final long stepsPerIteration;
        private long stepsTaken;
        long startNanos;
        long startHeap;
        long rolloutEndNanos;
        long rolloutEndHeap;

        PhaseClock(VectorEnv env, long stepsPerIteration) {
            super(env, true);
            this.stepsPerIteration = stepsPerIteration;
        }

        void begin() {
            stepsTaken = 0;
        }

        @Override
        public void step(float[] actions, VectorStep out) {
            if (stepsTaken == 0) {
                startHeap = allocatedBytes();
                startNanos = System.nanoTime();
            }
            env.step(actions, out);
            if (++stepsTaken == stepsPerIteration) {
                rolloutEndNanos = System.nanoTime();
                rolloutEndHeap = allocatedBytes();
            }
        }
    }

    /** Bytes allocated on the Java heap so far by every live thread. */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            total += Math.max(0, threads.getThreadAllocatedBytes(id));
        }
        return total;
    }

    private static double usedHeapMegabytes() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
    }

    private static void print(int updates, Device device) throws IOException {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "%8d %12d %10.1f %10.1f%n", updates, liveArrays(device), rssMegabytes(),
                (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    }

    /** The NDArrays still attached to any manager: those of the engine's system manager and all its children. */
    static int liveArrays(Device device) {
        try (NDManager probe = NDManager.newBaseManager(device)) {
            return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
        }
    }

    /** VmRSS of this process, in MB, or NaN off Linux. */
    static double rssMegabytes() throws IOException {
        return statusMegabytes("VmRSS:");
    }

    /** A {@code kB} field of {@code /proc/self/status} ({@code VmRSS:}, {@code VmHWM:}), in MB, or NaN off Linux. */
    private static double statusMegabytes(String field) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return Double.NaN;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
