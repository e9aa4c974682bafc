/** The diffusion decoder: DDIM sampling of a DDPM-trained noise predictor, starting from the latent. */
package io.github.gorl.decoders.diffusion;
