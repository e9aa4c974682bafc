package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.Validate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one running mean/variance normalizer of gorl-java: {@code (x - mean) / sqrt(var + 1e-8)}, clipped
 * to {@code [-clip, clip]} (a documented, switchable trick: observation outliers otherwise dominate the
 * first layer). Statistics are merged batch by batch with Chan et al.'s parallel update, in double
 * precision. Not part of the stable API.
 */
public final class RunningNormalizer implements AutoCloseable {

    private static final double VARIANCE_FLOOR = 1e-8;

    private final int dim;
    private final double clip;
    private final double[] mean;
    private final double[] variance;
    private double count;
    private final NDManager manager;
    private NDArray shift;
    private NDArray scale;

    /**
     * Creates a normalizer with mean 0 and variance 1 until data arrives.
     *
     * @param parent the manager under which the cached statistics live
     * @param dim the number of features, {@code > 0}
     * @param clip the absolute bound of normalized values, {@code > 0}; {@code Double.POSITIVE_INFINITY}
     *     disables clipping
     */
    public RunningNormalizer(NDManager parent, int dim, double clip) {
        this.dim = Validate.positive("dim", dim);
        if (!(clip > 0)) {
            throw new IllegalArgumentException("clip must be > 0, got " + clip);
        }
        this.clip = clip;
        this.mean = new double[dim];
        this.variance = new double[dim];
        java.util.Arrays.fill(variance, 1.0);
        this.manager = parent.newSubManager();
    }

    /**
     * Merges a batch of rows into the statistics.
     *
     * @param rows row-major {@code [n, dim]}, finite
     * @param n the number of rows to read
     */
    public void update(float[] rows, int n) {
        if (n <= 0) {
            return;
        }
        if (rows.length < (long) n * dim) {
            throw new IllegalArgumentException("rows must hold " + n + " x " + dim + " values, got " + rows.length);
        }
        double[] batchMean = new double[dim];
        double[] batchM2 = new double[dim];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                batchMean[j] += rows[r * dim + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            batchMean[j] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                double d = rows[r * dim + j] - batchMean[j];
                batchM2[j] += d * d;
            }
        }
        double total = count + n;
        for (int j = 0; j < dim; j++) {
            double delta = batchMean[j] - mean[j];
            double m2 = (count == 0 ? 0 : variance[j] * count) + batchM2[j] + delta * delta * count * n / total;
            mean[j] += delta * n / total;
            variance[j] = m2 / total;
        }
        count = total;
        invalidate();
    }

    private void invalidate() {
        if (shift != null) {
            shift.close();
            scale.close();
            shift = null;
            scale = null;
        }
    }

    /**
     * Normalizes a batch with the current statistics (no update).
     *
     * @param x {@code [batch, dim]}
     * @return {@code [batch, dim]}, attached to the manager of {@code x}
     */
    public NDArray normalize(NDArray x) {
        if (shift == null) {
            float[] m = new float[dim];
            float[] s = new float[dim];
            for (int j = 0; j < dim; j++) {
                m[j] = (float) mean[j];
                s[j] = (float) (1.0 / Math.sqrt(variance[j] + VARIANCE_FLOOR));
            }
            shift = manager.create(m, new Shape(1, dim));
            scale = manager.create(s, new Shape(1, dim));
        }
        NDArray y = x.sub(shift).muli(scale);
        return Double.isInfinite(clip) ? y : y.clip(-clip, clip);
    }

    /**
     * Normalizes one row in place, in Java (for single-observation inference).
     *
     * @param row {@code [dim]}, overwritten
     */
    public void normalizeInPlace(float[] row) {
        for (int j = 0; j < dim; j++) {
            double z = (row[j] - mean[j]) / Math.sqrt(variance[j] + VARIANCE_FLOOR);
            row[j] = (float) Math.max(-clip, Math.min(clip, z));
        }
    }

    /**
     * The number of rows merged so far.
     *
     * @return the count
     */
    public double count() {
        return count;
    }

    /**
     * The running means.
     *
     * @return a copy, {@code [dim]}
     */
    public double[] mean() {
        return mean.clone();
    }

    /**
     * The running (population) variances.
     *
     * @return a copy, {@code [dim]}
     */
    public double[] variance() {
        return variance.clone();
    }

    /**
     * The statistics, for checkpoints.
     *
     * @param prefix the key prefix
     * @return {@code prefix.mean}, {@code prefix.variance}, {@code prefix.count} as float bit patterns
     */
    public Map<String, float[]> state(String prefix) {
        Map<String, float[]> state = new LinkedHashMap<>();
        state.put(prefix + ".mean", DoubleBits.encode(mean));
        state.put(prefix + ".variance", DoubleBits.encode(variance));
        state.put(prefix + ".count", DoubleBits.encode(new double[] {count}));
        return state;
    }

    /**
     * Restores what {@link #state(String)} returned.
     *
     * @param state the saved entries
     * @param prefix the key prefix used when saving
     */
    public void loadState(Map<String, float[]> state, String prefix) {
        double[] m = DoubleBits.decode(state.get(prefix + ".mean"), dim, prefix + ".mean");
        double[] v = DoubleBits.decode(state.get(prefix + ".variance"), dim, prefix + ".variance");
        double[] c = DoubleBits.decode(state.get(prefix + ".count"), 1, prefix + ".count");
        System.arraycopy(m, 0, mean, 0, dim);
        System.arraycopy(v, 0, variance, 0, dim);
        count = c[0];
        invalidate();
    }

    /** Forgets all statistics: mean 0, variance 1. */
    public void reset() {
        java.util.Arrays.fill(mean, 0);
        java.util.Arrays.fill(variance, 1);
        count = 0;
        invalidate();
    }

    @Override
    public void close() {
        manager.close();
    }
}
