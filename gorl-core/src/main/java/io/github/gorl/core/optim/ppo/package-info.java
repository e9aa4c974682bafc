/**
 * Latent PPO: Proximal Policy Optimization of GoRL's Gaussian latent policy on the latent environment,
 * with a KL penalty to the prior {@code N(0, I)}. Users need only {@link io.github.gorl.core.optim.ppo.Ppo#latent()}.
 *
 * <p>Inside, one engine ({@link io.github.gorl.core.optim.ppo.PpoEngine}) runs PPO for any
 * {@link io.github.gorl.core.optim.ppo.PpoPolicy} plugged into it: the latent Gaussian here, FPO's flow and DPPO's
 * denoising chain in {@code io.github.gorl.core.baselines}. The engine's public types are internal, not part of the
 * stable API.
 */
package io.github.gorl.core.optim.ppo;
