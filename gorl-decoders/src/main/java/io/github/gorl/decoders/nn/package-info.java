/**
 * Network building blocks shared by gorl-java's modules: the one MLP, Adam with global gradient-norm
 * clipping, the running normalizer, Gaussian closed forms, the time embedding and the atomic tensor file.
 * Public so that the other modules can use them; not part of the stable API.
 */
package io.github.gorl.decoders.nn;
