/**
 * Latent PPO: Proximal Policy Optimization of GoRL's Gaussian latent policy on the latent environment,
 * with a KL penalty to the prior {@code N(0, I)}. Users need only {@link io.github.gorl.core.optim.ppo.Ppo#latent()}.
 *
 * <p>Inside, one engine ({@code io.github.gorl.core.optim.ppo.engine.PpoEngine}) runs PPO for any policy plugged
 * into it: the latent Gaussian here, FPO's flow and DPPO's denoising chain in {@code io.github.gorl.baselines}.
 */
package io.github.gorl.core.optim.ppo;
