package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplication by a Java number that is safe inside a gradient collector. Not part of the stable API.
 *
 * <p>Never write {@code x.mul(0.5)} (nor {@code div}, {@code pow}, {@code maximum}, {@code minimum} with a
 * number) on a tensor that autograd differentiates: DJL 0.36 wraps the number in a tensor over a Java direct
 * buffer and closes it at once, autograd keeps that tensor for the backward pass, and a garbage collection in
 * between frees its memory, so the gradient is computed from whatever reused it (reproduced: the gradient of
 * {@code sum(0.5 x)} came out as 12345 in 20 of 20 trials with a collection forced before {@code backward}).
 * Here the factor is a scalar tensor that PyTorch owns. Adding or subtracting a number is safe: its gradient
 * does not read the operand.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * {@code x * value} as a new tensor.
     *
     * @param x any tensor
     * @param value the factor
     * @return a new tensor, attached to the manager of {@code x}
     */
    public static NDArray times(NDArray x, double value) {
        try (NDArray scalar = x.getManager().full(new Shape(), (float) value)) {
            return x.mul(scalar);
        }
    }

    /**
     * {@code x *= value} in place.
     *
     * @param x any tensor, overwritten
     * @param value the factor
     * @return {@code x}
     */
    public static NDArray timesInPlace(NDArray x, double value) {
        try (NDArray scalar = x.getManager().full(new Shape(), (float) value)) {
            return x.muli(scalar);
        }
    }
}
