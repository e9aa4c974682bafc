package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.Validate;

/**
 * Sinusoidal embedding of a scalar time {@code t}: {@code [cos(t 2^k pi), sin(t 2^k pi)]} for
 * {@code k = 0 .. frequencies-1} (all cosines first, then all sines), so an 8-dimensional embedding uses 4
 * frequencies; without {@code pi} ({@code [cos(t 2^k), sin(t 2^k)]}, the authors' form) when built with
 * {@code timesPi = false}. Not part of the stable API.
 */
public final class TimeEmbedding {

    private final int frequencies;
    private final boolean timesPi;

    /**
     * Creates an embedding of size {@code 2 * frequencies} with angles {@code pi t 2^k}.
     *
     * @param dim the embedding size, even and {@code > 0}
     */
    public TimeEmbedding(int dim) {
        this(dim, true);
    }

    /**
     * Creates an embedding of size {@code 2 * frequencies}.
     *
     * @param dim the embedding size, even and {@code > 0}
     * @param timesPi angles {@code pi t 2^k} when true, {@code t 2^k} when false
     */
    public TimeEmbedding(int dim, boolean timesPi) {
        this.timesPi = timesPi;
        Validate.positive("time embedding dim", dim);
        if (dim % 2 != 0) {
            throw new IllegalArgumentException("time embedding dim must be even, got " + dim);
        }
        this.frequencies = dim / 2;
    }

    /**
     * The embedding size.
     *
     * @return {@code 2 * frequencies}
     */
    public int dim() {
        return 2 * frequencies;
    }

    /**
     * Embeds times.
     *
     * @param t {@code [batch, 1]}, typically in {@code [0, 1]}
     * @return {@code [batch, dim]}
     */
    public NDArray embed(NDArray t) {
        float[] scales = new float[frequencies];
        for (int k = 0; k < frequencies; k++) {
            scales[k] = (float) ((timesPi ? Math.PI : 1.0) * (1L << k));
        }
        NDArray angles = t.mul(t.getManager().create(scales, new Shape(1, frequencies)));
        return NDArrays.concat(new ai.djl.ndarray.NDList(angles.cos(), angles.sin()), 1);
    }
}
