/**
 * The paper's baselines as {@link io.github.gorl.api.LatentPolicyOptimizer}s, trained with the
 * {@code IdentityDecoder} and one stage so that the "latent" action is the real action: {@link Fpo}
 * (flow policy optimization) and {@link Dppo} (diffusion policy policy optimization), each a policy plugged into
 * latent PPO's engine ({@code io.github.gorl.core.optim.ppo.engine.PpoEngine}). Gaussian PPO is {@code Ppo.latent()} with
 * the identity decoder.
 */
package io.github.gorl.baselines;
