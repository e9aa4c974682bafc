package io.github.gorl.examples.bench;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.io.IOException;
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
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return Double.NaN;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
