package io.github.gorl.envs.dmc.bench;

import io.github.gorl.api.Env;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.api.VectorStep;
import io.github.gorl.envs.dmc.DmControl;
import io.github.gorl.envs.mujoco.MjData;
import io.github.gorl.envs.mujoco.MjModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MuJoCo physics throughput, Java against native, and the threaded vector env's scaling. Not a test: a
 * main that prints Markdown tables for {@code docs/benchmarks.md}.
 *
 * <p>For each task it measures, on the task's bundled MJCF, with zero controls from the model's initial
 * state: MuJoCo's own C loop ({@code mujoco-testspeed MODEL NSTEP 1 0}, run as a subprocess on the model
 * written to a temp file), the same loop through Java ({@code MjData.step()}, one JNI call per physics
 * step), and the whole environment ({@code Env.step} with zero actions: action repeat, observation and
 * reward included), counted in physics steps per second, and its CPU time per env (control) step, also
 * relative to CheetahRun's (what one env step of a task costs a learner's rollouts). Each figure is the best of {@code repeats}
 * alternating runs. Then a threaded {@link VectorEnv} of {@code 8} sub-envs, 1 thread against 2, beside
 * the scaling of MuJoCo's own 2-thread testspeed in the same minute (what the machine allows right then:
 * other processes on the cores lower both).
 *
 * <p>Arguments: {@code [vector] [only=TASK,TASK...] [physicsSteps=200000] [repeats=3] [vectorSteps=2000]
 * [subEnvs=8]}; with {@code vector} first, only the threaded {@code VectorEnv} table is printed; {@code only=}
 * restricts both tables to the tasks listed (CheetahRun should be among them for the cost column).
 */
public final class PhysicsBench {

    private static final Pattern STEPS_PER_SECOND = Pattern.compile("Steps per second\\s*:\\s*([0-9.]+)");
    private static final Pattern TOTAL_STEPS_PER_SECOND =
            Pattern.compile("Total steps per second\\s*:\\s*([0-9.]+)");

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PhysicsBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional {@code [vector] physicsSteps repeats vectorSteps subEnvs} (sub-envs per vector env,
     *     default 8; {@code vector}: only the VectorEnv table)
     * @throws Exception if the native tool cannot run
     */
    public static void main(String[] args) throws Exception {
        boolean vectorOnly = args.length > 0 && args[0].equals("vector");
        if (vectorOnly) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        java.util.List<String> only = DmControl.TASKS;
        if (args.length > 0 && args[0].startsWith("only=")) {
            only = java.util.List.of(args[0].substring("only=".length()).split(","));
            for (String task : only) {
                DmControl.modelXml(task); // an unknown name fails here, listing the known ones
            }
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int vectorSteps = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int subEnvs = args.length > 3 ? Integer.parseInt(args[3]) : 8;

        System.out.printf(Locale.ROOT, "MuJoCo %s, %d physics steps per run, best of %d, %d cores, %s %s, "
                        + "load average at start: %s%n%n",
                MjModel.mujocoVersion(), steps, repeats, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), loadAverage());
        System.out.println("| task | native C (`mujoco-testspeed`), steps/s | Java `MjData.step()`, steps/s "
                + "| Java / native | `Env.step` (physics steps/s) | `Env.step` / native "
                + "| C loop in-process, steps per CPU-s | Java loop, steps per CPU-s | Java / C, CPU time "
                + "| `Env.step`, CPU µs per env step | env step cost / CheetahRun |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double cheetahEnvStep = Double.NaN;
        for (String task : vectorOnly ? java.util.List.<String>of() : only) {
            Path file = Files.createTempFile("gorl-" + task, ".xml");
            try {
                Files.writeString(file, DmControl.modelXml(task), StandardCharsets.UTF_8);
                javaLoop(file, Math.min(steps, 20_000)); // warm up the JIT
                envLoop(task, Math.min(steps, 20_000));
                double nativeBest = 0;
                double javaBest = 0;
                double envBest = 0;
                double cCpuBest = 0;
                double javaCpuBest = 0;
                double envStepCpuBest = Double.POSITIVE_INFINITY;
                for (int r = 0; r < repeats; r++) {
                    nativeBest = Math.max(nativeBest, nativeLoop(file, steps));
                    double[] java = javaLoopTimed(file, steps);
                    javaBest = Math.max(javaBest, java[0]);
                    javaCpuBest = Math.max(javaCpuBest, java[1]);
                    double[] env = envLoopTimed(task, steps);
                    envBest = Math.max(envBest, env[0]);
                    envStepCpuBest = Math.min(envStepCpuBest, env[1]);
                    cCpuBest = Math.max(cCpuBest, cLoopCpu(file, steps));
                }
                if (task.equals("CheetahRun")) {
                    cheetahEnvStep = envStepCpuBest;
                }
                System.out.printf(Locale.ROOT,
                        "| %s | %,.0f | %,.0f | %.2f | %,.0f | %.2f | %,.0f | %,.0f | %.2f | %.1f | %.1f |%n",
                        task, nativeBest, javaBest, javaBest / nativeBest, envBest, envBest / nativeBest, cCpuBest,
                        javaCpuBest, javaCpuBest / cCpuBest, envStepCpuBest * 1e6, envStepCpuBest / cheetahEnvStep);
            } finally {
                Files.deleteIfExists(file);
            }
        }

        System.out.println();
        System.out.println("| task | sub-envs | `VectorEnv` 1 thread, env steps/s | 2 threads, env steps/s | 2 / 1 "
                + "| native `mujoco-testspeed` 2 threads / 1 thread (machine's scaling, same minute) |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String task : new String[] {"CheetahRun", "WalkerWalk", "FishSwim"}) {
            if (!only.contains(task)) {
                continue;
            }
            Path file = Files.createTempFile("gorl-" + task, ".xml");
            try {
                Files.writeString(file, DmControl.modelXml(task), StandardCharsets.UTF_8);
                vectorLoop(task, subEnvs, 1, vectorSteps / 4);
                vectorLoop(task, subEnvs, 2, vectorSteps / 4);
                double one = 0;
                double two = 0;
                double nativeOne = 0;
                double nativeTwo = 0;
                for (int r = 0; r < repeats; r++) {
                    one = Math.max(one, vectorLoop(task, subEnvs, 1, vectorSteps));
                    two = Math.max(two, vectorLoop(task, subEnvs, 2, vectorSteps));
                    nativeOne = Math.max(nativeOne, nativeLoop(file, steps / 2, 1));
                    nativeTwo = Math.max(nativeTwo, nativeLoop(file, steps / 2, 2));
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.2f | %.2f |%n", task, subEnvs, one, two, two / one,
                        nativeTwo / nativeOne);
            } finally {
                Files.deleteIfExists(file);
            }
        }
        System.out.println();
        System.out.println("load average at end: " + loadAverage());
    }

    /** The 1, 5 and 15 minute load averages (other processes compete for the cores), or "n/a". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** MuJoCo's testspeed sample: physics steps per second of the native loop, one thread. */
    static double nativeLoop(Path model, int steps) throws IOException, InterruptedException {
        return nativeLoop(model, steps, 1);
    }

    /**
     * MuJoCo's testspeed sample with {@code threads} independent simulations in parallel: total physics
     * steps per second.
     */
    static double nativeLoop(Path model, int steps, int threads) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mujoco-testspeed", model.toString(), Integer.toString(steps),
                Integer.toString(threads), "0").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("mujoco-testspeed failed:\n" + out);
        }
        Matcher m = (threads > 1 ? TOTAL_STEPS_PER_SECOND : STEPS_PER_SECOND).matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no 'Steps per second' in mujoco-testspeed output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The same loop through Java: one {@code mj_step} JNI call per physics step, zero controls. */
    static double javaLoop(Path file, int steps) {
        return javaLoopTimed(file, steps)[0];
    }

    /** {@link #javaLoop}, returning {steps per wall second, steps per CPU second of this thread}. */
    static double[] javaLoopTimed(Path file, int steps) {
        try (MjModel model = MjModel.fromFile(file); MjData data = model.makeData()) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                data.step();
            }
            long wall = System.nanoTime() - start;
            cpu = THREADS.getCurrentThreadCpuTime() - cpu;
            return new double[] {steps / (wall * 1e-9), steps / (cpu * 1e-9)};
        }
    }

    /**
     * The same trajectory stepped by a C loop inside this process ({@code MjData.step(n)}: one JNI call
     * for all {@code n} steps), in steps per CPU second of this thread: a native reference that other
     * processes on the machine do not distort, unlike wall-clock figures.
     */
    static double cLoopCpu(Path file, int steps) {
        try (MjModel model = MjModel.fromFile(file); MjData data = model.makeData()) {
            long cpu = THREADS.getCurrentThreadCpuTime();
            data.step(steps);
            cpu = THREADS.getCurrentThreadCpuTime() - cpu;
            return steps / (cpu * 1e-9);
        }
    }

    /** Whole environment steps with zero actions, counted in physics steps per second. */
    static double envLoop(String task, int physicsSteps) {
        return envLoopTimed(task, physicsSteps)[0];
    }

    /**
     * {@link #envLoop}, returning {physics steps per wall second, CPU seconds of this thread per env (control)
     * step, resets included}.
     */
    static double[] envLoopTimed(String task, int physicsSteps) {
        try (Env env = DmControl.make(task)) {
            int substeps = substeps(task);
            float[] obs = new float[env.spec().observationDim()];
            float[] action = new float[env.spec().actionDim()];
            int controlSteps = Math.max(1, physicsSteps / substeps);
            env.reset(0, obs);
            long cpu = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < controlSteps; i++) {
                if (env.step(action, obs).done()) {
                    env.reset(i, obs);
                }
            }
            long wall = System.nanoTime() - start;
            cpu = THREADS.getCurrentThreadCpuTime() - cpu;
            return new double[] {(double) controlSteps * substeps / (wall * 1e-9), cpu * 1e-9 / controlSteps};
        }
    }

    /** Physics steps per control step, from dm_control's timesteps. */
    static int substeps(String task) {
        return switch (task) {
            case "CheetahRun" -> 1;
            case "FingerSpin", "FingerTurnHard" -> 2;
            case "HopperStand" -> 4;
            case "HumanoidStand", "HumanoidWalk", "HumanoidRun" -> 5;
            default -> 10; // FishSwim, WalkerWalk
        };
    }

    /** Env steps per second of a threaded vector env with zero actions. */
    static double vectorLoop(String task, int numEnvs, int threads, int steps) {
        try (VectorEnv vec = DmControl.vector(task, numEnvs, threads)) {
            int obsDim = vec.spec().observationDim();
            float[] obs = new float[numEnvs * obsDim];
            float[] actions = new float[numEnvs * vec.spec().actionDim()];
            VectorStep out = new VectorStep(numEnvs, obsDim);
            vec.reset(0, obs);
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                vec.step(actions, out);
            }
            return (double) steps * numEnvs / ((System.nanoTime() - start) * 1e-9);
        }
    }
}
