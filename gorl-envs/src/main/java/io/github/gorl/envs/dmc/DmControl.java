package io.github.gorl.envs.dmc;

import io.github.gorl.api.Env;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.envs.Envs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The six DeepMind Control Suite tasks of the GoRL paper and the three humanoid tasks of its reference code's
 * newer version, re-created on MuJoCo 2.2.2 through JavaCPP.
 *
 * <table>
 *   <caption>Tasks</caption>
 *   <tr><th>task</th><th>observation</th><th>action</th><th>physics / control timestep</th></tr>
 *   <tr><td>CheetahRun</td><td>17</td><td>6</td><td>0.01 s / 0.01 s</td></tr>
 *   <tr><td>FingerSpin</td><td>9</td><td>2</td><td>0.01 s / 0.02 s</td></tr>
 *   <tr><td>FingerTurnHard</td><td>12</td><td>2</td><td>0.01 s / 0.02 s</td></tr>
 *   <tr><td>FishSwim</td><td>24</td><td>5</td><td>0.004 s / 0.04 s</td></tr>
 *   <tr><td>HopperStand</td><td>15</td><td>4</td><td>0.005 s / 0.02 s</td></tr>
 *   <tr><td>WalkerWalk</td><td>24</td><td>6</td><td>0.0025 s / 0.025 s</td></tr>
 *   <tr><td>HumanoidStand</td><td>67</td><td>21</td><td>0.005 s / 0.025 s</td></tr>
 *   <tr><td>HumanoidWalk</td><td>67</td><td>21</td><td>0.005 s / 0.025 s</td></tr>
 *   <tr><td>HumanoidRun</td><td>67</td><td>21</td><td>0.005 s / 0.025 s</td></tr>
 * </table>
 *
 * <p>As in dm_control: observations are the task's observation dictionary flattened in its key order
 * (computed in double precision, returned as {@code float[observationDim]}); actions are in [-1, 1] in
 * every dimension (a single env rejects others, a vector env clips them); each control step repeats the action for control timestep / physics
 * timestep physics steps; rewards are in [0, 1]; an episode is 1000 control steps and its last step
 * reports {@code truncated = true}, so returns are in [0, 1000]; the initial state is randomized from
 * the seed given to {@code reset}, and the same seed and actions give the same trajectory. A diverging
 * simulation ends the episode with {@code terminated = true} and reward 0.
 *
 * <p>Each environment owns a native MuJoCo model and data: close it when done.
 */
public final class DmControl {

    /** The task names: the paper's six in the paper's order, then the humanoid's stand, walk and run. */
    public static final List<String> TASKS = List.of(
            CheetahRun.ID, FingerSpin.ID, FingerTurnHard.ID, FishSwim.ID, HopperStand.ID, WalkerWalk.ID,
            Humanoid.STAND, Humanoid.WALK, Humanoid.RUN);

    private static final Map<String, Supplier<Env>> FACTORIES = Map.of(
            key(CheetahRun.ID), CheetahRun::new,
            key(FingerSpin.ID), FingerSpin::new,
            key(FingerTurnHard.ID), FingerTurnHard::new,
            key(FishSwim.ID), FishSwim::new,
            key(HopperStand.ID), HopperStand::new,
            key(WalkerWalk.ID), WalkerWalk::new,
            key(Humanoid.STAND), () -> new Humanoid(Humanoid.STAND, 0),
            key(Humanoid.WALK), () -> new Humanoid(Humanoid.WALK, Humanoid.WALK_SPEED),
            key(Humanoid.RUN), () -> new Humanoid(Humanoid.RUN, Humanoid.RUN_SPEED));

    private static final Map<String, String> MJCF = new ConcurrentHashMap<>();

    private DmControl() {}

    /**
     * Creates one environment of a task.
     *
     * @param task a name from {@link #TASKS}, case-insensitive (such as {@code "cheetahrun"})
     * @return a new environment; reset it before stepping, close it when done
     * @throws IllegalArgumentException if the name is unknown; the message lists the known tasks
     */
    public static Env make(String task) {
        return factory(task).get();
    }

    /**
     * A threaded vector of environments of one task ({@link Envs#threaded}: one thread per core, at most
     * one per sub-environment), with auto-reset and action clipping.
     *
     * @param task a name from {@link #TASKS}, case-insensitive
     * @param numEnvs the number of sub-environments, {@code > 0}
     * @return the vector env, {@code observations [numEnvs, observationDim]}; close it when done
     * @throws IllegalArgumentException if the name is unknown or {@code numEnvs <= 0}
     */
    public static VectorEnv vector(String task, int numEnvs) {
        Supplier<Env> factory = factory(task);
        Validate.positive("numEnvs", numEnvs);
        return Envs.threaded(i -> factory.get(), numEnvs);
    }

    /**
     * A threaded vector of environments of one task with an explicit number of threads.
     *
     * @param task a name from {@link #TASKS}, case-insensitive
     * @param numEnvs the number of sub-environments, {@code > 0}
     * @param threads the parallelism, counting the calling thread, {@code > 0}
     * @return the vector env; close it when done
     * @throws IllegalArgumentException if the name is unknown or a count is not positive
     */
    public static VectorEnv vector(String task, int numEnvs, int threads) {
        Supplier<Env> factory = factory(task);
        Validate.positive("numEnvs", numEnvs);
        return Envs.threaded(i -> factory.get(), numEnvs, threads);
    }

    /**
     * The MJCF model of a task's domain, as bundled in the jar (self-contained: it loads with {@code
     * MjModel.fromXml} or, written to a file, with MuJoCo's own tools such as {@code testspeed}).
     *
     * @param task a name from {@link #TASKS}, case-insensitive
     * @return the MJCF text
     * @throws IllegalArgumentException if the name is unknown
     */
    public static String modelXml(String task) {
        factory(task);
        String k = key(task);
        String file = k.startsWith("finger") ? "finger.xml"
                : k.startsWith("cheetah") ? "cheetah.xml"
                : k.startsWith("fish") ? "fish.xml"
                : k.startsWith("hopper") ? "hopper.xml"
                : k.startsWith("humanoid") ? "humanoid.xml"
                : "walker.xml";
        return mjcf(file);
    }

    private static Supplier<Env> factory(String task) {
        Validate.notNull("task", task);
        Supplier<Env> factory = FACTORIES.get(key(task));
        if (factory == null) {
            throw new IllegalArgumentException(
                    "unknown DMControl task '" + task + "'; known: " + String.join(", ", TASKS));
        }
        return factory;
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    /** A bundled MJCF file of this package, read once. */
    static String mjcf(String file) {
        return MJCF.computeIfAbsent(file, f -> {
            try (InputStream in = DmControl.class.getResourceAsStream(f)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled model " + f + " is missing from the jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the bundled model " + f, e);
            }
        });
    }
}
