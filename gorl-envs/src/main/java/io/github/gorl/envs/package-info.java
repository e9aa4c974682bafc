/**
 * Environments for GoRL: {@link io.github.gorl.envs.Envs} creates tasks by name, batches environments
 * into synchronous or threaded {@link io.github.gorl.api.VectorEnv}s with auto-reset, and checks a user's
 * {@link io.github.gorl.api.Env} before training.
 *
 * <p>Pure-Java tasks live in {@code io.github.gorl.envs.classic}; the MuJoCo DMControl tasks in
 * {@code io.github.gorl.envs.dmc}.
 */
package io.github.gorl.envs;
