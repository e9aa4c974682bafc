/**
 * Latent SAC: Soft Actor-Critic of GoRL's Gaussian latent policy on the latent environment, off-policy from a
 * replay buffer that is cleared whenever the decoder changes, regularized by SAC's entropy and/or the KL to the
 * prior {@code N(0, I)}. Users need only {@link io.github.gorl.core.optim.sac.Sac#latent()}.
 */
package io.github.gorl.core.optim.sac;
