package io.github.gorl.envs;

import io.github.gorl.api.Env;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import java.util.List;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry points for environments: create a task by name, batch environments into a {@link VectorEnv}, and
 * check a user's {@link Env} before training on it.
 *
 * <p>Both vector environments behave identically (bit for bit, for the same seed and actions):
 *
 * <ul>
 *   <li>Actions, row-major {@code float[numEnvs * actionDim]}, are clipped to the spec's bounds before
 *       they reach a sub-env; the caller's array is not modified, so the learner keeps what it sampled. A
 *       NaN action throws an {@link IllegalArgumentException} naming the sub-env and dimension, before any
 *       sub-env moves.
 *   <li>A sub-env that returns a NaN or infinite observation or reward, leaves part of its observation
 *       unwritten, or throws, makes {@code step} throw an {@link IllegalStateException} naming the
 *       sub-env index, its episode step and the value; the vector env must then be reset.
 *   <li>Finished sub-envs are reset automatically, with {@code finalObservations}, {@code terminated} and
 *       {@code truncated} reported as {@link io.github.gorl.api.VectorStep} documents. A sub-env still
 *       running at its spec's {@code maxEpisodeSteps} is reported truncated and reset, like Gymnasium's
 *       {@code TimeLimit}.
 *   <li>{@code reset(seed)} seeds sub-env {@code i}'s first episode from {@code (seed, i)}; each later
 *       episode of that sub-env gets a fresh seed derived from {@code (seed, i, episode number)}, so a run
 *       is reproducible from its one seed.
 *   <li>Stepping reuses preallocated buffers; the only per-step allocation is the {@code StepResult}
 *       each sub-env returns.
 *   <li>A vector env is not thread-safe: call it from one thread at a time. Closing it closes every
 *       sub-env; closing twice is harmless.
 * </ul>
 */
public final class Envs {

    private static final Logger LOG = LoggerFactory.getLogger(Envs.class);

    private Envs() {}

    /**
     * Creates a task by name, case-insensitively: {@code "Pendulum"} ({@link
     * io.github.gorl.envs.classic.Pendulum}) or {@code "BimodalBandit"} ({@link
     * io.github.gorl.envs.classic.BimodalBandit} with its defaults), or one of the DMControl tasks of
     * {@link io.github.gorl.envs.dmc.DmControl#TASKS} ({@code "CheetahRun"}, ...).
     *
     * @param name the task name, such as {@code "pendulum"}
     * @return a new environment; reset it before stepping
     * @throws IllegalArgumentException if the name is unknown; the message lists the known names
     */
    public static Env make(String name) {
        Validate.notNull("name", name);
        Env env = TaskRegistry.create(name.strip());
        if (env == null) {
            throw new IllegalArgumentException("unknown environment name '" + name + "'; known: "
                    + String.join(", ", TaskRegistry.names()));
        }
        return env;
    }

    /**
     * The names {@link #make} accepts.
     *
     * @return the task names, in a stable order
     */
    public static List<String> names() {
        return TaskRegistry.names();
    }

    /**
     * A vector env that steps its sub-envs one after the other in the caller's thread: the simplest, and
     * the fastest when a step is so cheap that handing work to threads costs more.
     *
     * @param factory creates sub-env {@code i} for {@code i = 0 .. numEnvs - 1}; a new instance each call,
     *     all with equal specs
     * @param numEnvs the number of sub-envs, {@code > 0}
     * @return the vector env; reset it before stepping, close it when done
     * @throws IllegalArgumentException if {@code numEnvs <= 0}, the factory returns null or a repeated
     *     instance, or the specs differ (sub-envs already created are closed)
     */
    public static VectorEnv sync(IntFunction<Env> factory, int numEnvs) {
        return new SyncVectorEnv(factory, numEnvs);
    }

    /**
     * A threaded vector env with {@code min(numEnvs, availableProcessors)} threads; see {@link
     * #threaded(IntFunction, int, int)}.
     *
     * @param factory creates sub-env {@code i} for {@code i = 0 .. numEnvs - 1}
     * @param numEnvs the number of sub-envs, {@code > 0}
     * @return the vector env; reset it before stepping, close it when done
     */
    public static VectorEnv threaded(IntFunction<Env> factory, int numEnvs) {
        Validate.positive("numEnvs", numEnvs);
        return threaded(factory, numEnvs, Math.min(numEnvs, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * A vector env that steps contiguous slices of its sub-envs in parallel on a fixed set of threads.
     *
     * <p>The sub-envs are split into {@code min(threads, numEnvs)} slices differing in size by at most one;
     * the thread calling {@code step} steps the first slice and daemon worker threads named
     * {@code gorl-env-N}, started here and stopped by {@code close}, step one slice each. No thread is
     * created per step. A sub-env is always stepped by the same thread. An exception in any slice reaches
     * the caller of {@code step} with the sub-env index in its message (the first failing slice wins,
     * others are suppressed).
     *
     * @param factory creates sub-env {@code i} for {@code i = 0 .. numEnvs - 1}; a new instance each call,
     *     all with equal specs
     * @param numEnvs the number of sub-envs, {@code > 0}
     * @param threads the parallelism, counting the caller's thread, {@code > 0}
     * @return the vector env; reset it before stepping, close it when done
     * @throws IllegalArgumentException if a count is not positive, the factory returns null or a repeated
     *     instance, or the specs differ
     */
    public static VectorEnv threaded(IntFunction<Env> factory, int numEnvs, int threads) {
        Validate.positive("threads", threads);
        return new ThreadedVectorEnv(factory, numEnvs, threads);
    }

    /**
     * Checks that an environment keeps the {@link Env} contract before a long training run depends on it.
     *
     * <p>The checker reads the spec twice (it must be constant); resets with the observation buffer
     * pre-filled with NaN (every one of the {@code observationDim} values must be written and finite);
     * plays three episodes of random in-bound actions, starting with the bounds themselves (rewards and
     * observations must be finite, and each episode must end by {@code truncated} at
     * {@code maxEpisodeSteps} unless terminated earlier); steps once after an episode ended without a reset
     * (an {@link IllegalStateException} is recommended, anything else is a warning); replays the same seed
     * and actions twice (the trajectories must agree bit for bit) and two different seeds (identical
     * trajectories are a warning). It resets and steps {@code env}, leaving it mid-episode, and does not
     * close it.
     *
     * @param env the environment to check
     * @return every problem and warning found
     */
    public static EnvCheckReport check(Env env) {
        Validate.notNull("env", env);
        return new EnvChecker(env).run();
    }

    /**
     * Like {@link #check}, but throws when a problem was found; warnings are logged.
     *
     * @param env the environment to check
     * @return the report, whose {@code problems()} is empty
     * @throws IllegalArgumentException listing every problem found
     */
    public static EnvCheckReport checkOrThrow(Env env) {
        EnvCheckReport report = check(env);
        if (!report.isOk()) {
            throw new IllegalArgumentException(report.toString());
        }
        for (String warning : report.warnings()) {
            LOG.warn("Env check of {}: {}", report.envId(), warning);
        }
        return report;
    }
}
