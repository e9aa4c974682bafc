package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * Closed forms for diagonal Gaussians {@code N(mean, diag(std^2))} over the last axis. Inputs
 * {@code [batch, dim]}; outputs {@code [batch]}. Not part of the stable API.
 */
public final class Gaussian {

    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

    private Gaussian() {}

    /**
     * Fills an array with standard normal draws, taken from {@code random} in index order.
     *
     * @param random the source
     * @param n the number of draws
     * @return {@code n} values
     */
    public static float[] standardNormal(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /**
     * {@code log N(x; mean, std)}, summed over dimensions:
     * {@code -sum(((x-mean)/std)^2 / 2 + log std + log(2 pi) / 2)}.
     *
     * @param x the points {@code [batch, dim]}
     * @param mean the means {@code [batch, dim]}
     * @param std the standard deviations {@code [batch, dim]}, positive
     * @return {@code [batch]}
     */
    public static NDArray logProbability(NDArray x, NDArray mean, NDArray std) {
        long dim = x.getShape().get(x.getShape().dimension() - 1);
        NDArray z = x.sub(mean).divi(std);
        return Scalars.timesInPlace(z.square(), 0.5).addi(std.log()).sum(new int[] {-1}).addi(0.5 * LOG_TWO_PI * dim).negi();
    }

    /**
     * The differential entropy {@code sum(log std + (1 + log(2 pi)) / 2)}.
     *
     * @param std the standard deviations {@code [batch, dim]}
     * @return {@code [batch]}
     */
    public static NDArray entropy(NDArray std) {
        long dim = std.getShape().get(std.getShape().dimension() - 1);
        return std.log().sum(new int[] {-1}).addi(0.5 * (1 + LOG_TWO_PI) * dim);
    }

    /**
     * {@code KL(N(mean, std) || N(0, I)) = sum(mean^2 + std^2 - 1 - 2 log std) / 2}, the GoRL prior penalty.
     *
     * @param mean the means {@code [batch, dim]}
     * @param std the standard deviations {@code [batch, dim]}, positive
     * @return {@code [batch]}
     */
    public static NDArray klToStandardNormal(NDArray mean, NDArray std) {
        NDArray twiceKl = mean.square().addi(std.square()).subi(1).subi(Scalars.timesInPlace(std.log(), 2)).sum(new int[] {-1});
        return Scalars.timesInPlace(twiceKl, 0.5);
    }

    /**
     * The reference code's surrogate of the prior penalty, {@code mean(mean^2) + mean(std^2)} over
     * dimensions (minimized at {@code std = 0}, unlike the true KL; kept as an option for comparisons).
     *
     * @param mean the means {@code [batch, dim]}
     * @param std the standard deviations {@code [batch, dim]}
     * @return {@code [batch]}
     */
    public static NDArray squaredMoments(NDArray mean, NDArray std) {
        return mean.square().mean(new int[] {-1}).addi(std.square().mean(new int[] {-1}));
    }
}
