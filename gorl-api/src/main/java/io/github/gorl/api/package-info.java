/**
 * The public contract of gorl-java.
 *
 * <p>GoRL factors a policy as {@code pi(a|s) = integral g_phi(s, eps) pi_theta(eps|s) d eps}: a tractable
 * Gaussian latent policy ({@link io.github.gorl.api.LatentPolicyOptimizer}) and a generative decoder
 * ({@link io.github.gorl.api.GenerativeDecoder}), trained in alternating stages
 * ({@link io.github.gorl.api.StageSchedule}) on environments ({@link io.github.gorl.api.Env},
 * {@link io.github.gorl.api.VectorEnv}). Implementations live in the other modules.
 */
package io.github.gorl.api;
