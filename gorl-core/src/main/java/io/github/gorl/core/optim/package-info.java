/**
 * What gorl-java's latent optimizers share: the diagonal-Gaussian head of the latent policies and the learned
 * prior ({@link io.github.gorl.core.optim.GaussianHead}), the split of a seed into the optimizers' random streams
 * ({@link io.github.gorl.core.optim.RandomStreams}), the one acting path from a caller's observations to actions
 * ({@link io.github.gorl.core.optim.PolicyInference}) and the check of every env transition
 * ({@link io.github.gorl.core.optim.NonFiniteValues}).
 *
 * <p>Internal: public only so that the optimizers in other packages can use it; not part of the stable API.
 */
package io.github.gorl.core.optim;
