/**
 * Pure-Java classic tasks: {@link io.github.gorl.envs.classic.Pendulum}, the Gymnasium swing-up, and
 * {@link io.github.gorl.envs.classic.BimodalBandit}, a one-step task with two separated optimal actions.
 *
 * <p>Both are cheap enough for unit tests and quick experiments, and need no native library.
 */
package io.github.gorl.envs.classic;
