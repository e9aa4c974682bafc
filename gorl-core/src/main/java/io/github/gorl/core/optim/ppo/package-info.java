/**
 * Latent PPO: Proximal Policy Optimization of GoRL's Gaussian latent policy on the latent environment,
 * with a KL penalty to the prior {@code N(0, I)}. Users need only {@link io.github.gorl.core.optim.ppo.Ppo#latent()}.
 */
package io.github.gorl.core.optim.ppo;
