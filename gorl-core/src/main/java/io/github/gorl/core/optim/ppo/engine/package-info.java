/**
 * The one PPO engine (internal, not exported outside gorl-java): {@link io.github.gorl.core.optim.ppo.engine.PpoEngine}
 * owns the rollout, GAE, the minibatch epochs, the clipped surrogate (with the dual clip and the target-KL stop as
 * switches), non-finite handling, checkpoints and reseeding; a {@link io.github.gorl.core.optim.ppo.engine.PpoPolicy}
 * supplies the sampling and the log-likelihood (or its surrogate). Latent PPO, FPO and DPPO are such policies. The
 * module exports this package to gorl-baselines only.
 */
package io.github.gorl.core.optim.ppo.engine;
