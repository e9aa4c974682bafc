/** The flow-matching decoder: Euler integration of a learned velocity field from the latent to the action. */
package io.github.gorl.decoders.flow;
