/**
 * GoRL's generative decoders {@code g(s, eps)}: {@link io.github.gorl.decoders.flow.FlowMatchingDecoder},
 * {@link io.github.gorl.decoders.diffusion.DiffusionDecoder} and the {@link IdentityDecoder} of the Gaussian
 * baselines, with {@link MlpDecoder}, the machinery the first two share.
 */
package io.github.gorl.decoders;
