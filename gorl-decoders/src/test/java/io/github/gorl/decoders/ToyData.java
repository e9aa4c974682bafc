package io.github.gorl.decoders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import java.util.SplittableRandom;

/** Known conditional targets and helpers shared by the decoder tests. */
public final class ToyData {

    private ToyData() {}

    /**
     * An env spec with symmetric bounds.
     *
     * @param observationDim observation size
     * @param actionDim action size
     * @return the spec
     */
    public static EnvSpec spec(int observationDim, int actionDim) {
        return EnvSpec.symmetric("toy", observationDim, actionDim, 1f, 100);
    }

    /**
     * Observation {@code c} in {-1, 1}; action +0.7 or -0.7 with probability 1/2 each (independent of c),
     * plus N(0, 0.05^2) noise.
     *
     * @param n pairs
     * @param seed the seed
     * @return the dataset, observationDim 1, actionDim 1
     */
    public static DecoderDataset bimodal(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] obs = new float[n];
        float[] act = new float[n];
        for (int i = 0; i < n; i++) {
            obs[i] = random.nextBoolean() ? 1f : -1f;
            act[i] = (float) ((random.nextBoolean() ? 0.7 : -0.7) + 0.05 * random.nextGaussian());
        }
        return DecoderDataset.of(1, 1, obs, act);
    }

    /**
     * Observation {@code s ~ U(-2, 2)}; action {@code 0.5 s + N(0, 0.02^2)}.
     *
     * @param n pairs
     * @param seed the seed
     * @return the dataset, observationDim 1, actionDim 1
     */
    public static DecoderDataset linear(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] obs = new float[n];
        float[] act = new float[n];
        for (int i = 0; i < n; i++) {
            obs[i] = (float) (4 * random.nextDouble() - 2);
            act[i] = (float) (0.5 * obs[i] + 0.02 * random.nextGaussian());
        }
        return DecoderDataset.of(1, 1, obs, act);
    }

    /**
     * Uniform random rows in [-1, 1] for any sizes.
     *
     * @param n pairs
     * @param observationDim observation size
     * @param actionDim action size
     * @param seed the seed
     * @return the dataset
     */
    public static DecoderDataset uniform(int n, int observationDim, int actionDim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] obs = new float[n * observationDim];
        float[] act = new float[n * actionDim];
        for (int i = 0; i < obs.length; i++) {
            obs[i] = (float) (2 * random.nextDouble() - 1);
        }
        for (int i = 0; i < act.length; i++) {
            act[i] = (float) (2 * random.nextDouble() - 1);
        }
        return DecoderDataset.of(observationDim, actionDim, obs, act);
    }

    /**
     * A {@code [rows, cols]} array of {@code scale * N(0, 1)} draws.
     *
     * @param manager where it lives
     * @param rows rows
     * @param cols columns
     * @param scale the scale
     * @param seed the seed
     * @return the array
     */
    public static NDArray normal(NDManager manager, int rows, int cols, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return manager.create(values, new Shape(rows, cols));
    }

    /**
     * The shares of samples in the positive mode ({@code > 0.35}), the negative mode ({@code < -0.35}) and
     * the valley ({@code |x| < 0.2}), and the mode means.
     *
     * @param samples 1-D samples
     * @return {positive share, negative share, valley share, positive mean, negative mean}
     */
    public static double[] modes(float[] samples) {
        int pos = 0;
        int neg = 0;
        int valley = 0;
        double sumPos = 0;
        double sumNeg = 0;
        for (float v : samples) {
            if (v > 0.35) {
                pos++;
                sumPos += v;
            } else if (v < -0.35) {
                neg++;
                sumNeg += v;
            }
            if (Math.abs(v) < 0.2) {
                valley++;
            }
        }
        double n = samples.length;
        return new double[] {pos / n, neg / n, valley / n, sumPos / Math.max(1, pos), sumNeg / Math.max(1, neg)};
    }
}
