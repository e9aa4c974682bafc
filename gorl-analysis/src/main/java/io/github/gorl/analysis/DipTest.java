package io.github.gorl.analysis;

import io.github.gorl.api.Validate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hartigan's dip test of unimodality (J. A. Hartigan and P. M. Hartigan, "The dip test of unimodality", Annals of
 * Statistics 13, 1985; algorithm: P. M. Hartigan, Applied Statistics algorithm AS 217, 1985).
 *
 * <p>The dip of a sample is the largest distance {@code sup_x |F_n(x) - F(x)|} between its empirical distribution
 * function {@code F_n} and the nearest unimodal distribution function {@code F}. It lies in {@code [1/(2n), 1/4]}:
 * {@code 1/(2n)} for an evenly spread sample, {@code 1/4} for two equal point masses. The test rejects unimodality
 * when the dip is large compared with the dips of uniform samples of the same size, the uniform being the unimodal
 * distribution whose dips are stochastically largest.
 *
 * <pre>{@code
 * DipResult r = DipTest.test(actions);        // statistic, p-value from the published table, n
 * boolean bimodal = r.rejectsUnimodality(0.01);
 * }</pre>
 *
 * <p>Two p-values are offered. {@link #test(double[])} and {@link #pValue} interpolate in the published quantiles of
 * the null distribution (see {@code DipTable}): instant and deterministic, accurate to the table's resolution, and
 * the same numbers R's {@code diptest::dip.test} reports. {@link #simulatedPValue} draws the null distribution by
 * Monte Carlo for the exact {@code n}, seeded and cached by {@code (n, replicates, seed)}.
 */
public final class DipTest {

    /** Simulated null distributions, most recently used last; a few sample sizes are enough for any analysis. */
    private static final Map<NullKey, double[]> NULL_DIPS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NullKey, double[]> eldest) {
            return size() > 16;
        }
    };

    private DipTest() {}

    /**
     * The dip statistic and its p-value interpolated in the table of null quantiles.
     *
     * @param sample the values, {@code length >= 1}, all finite; not modified
     * @return the statistic, the p-value and {@code n}
     * @throws IllegalArgumentException if the sample is empty or holds a non-finite value
     */
    public static DipResult test(double[] sample) {
        double dip = statistic(sample);
        return new DipResult(dip, pValue(dip, sample.length), sample.length);
    }

    /**
     * The dip statistic and a Monte-Carlo p-value from {@code replicates} uniform samples of the same size.
     *
     * @param sample the values, {@code length >= 1}, all finite; not modified
     * @param replicates the number of simulated uniform samples, {@code > 0} (2000 gives p-values to about
     *     {@code +-0.01} near 0.05)
     * @param seed seeds the simulation; the same seed gives the same p-value
     * @return the statistic, the simulated p-value and {@code n}
     */
    public static DipResult test(double[] sample, int replicates, long seed) {
        double dip = statistic(sample);
        return new DipResult(dip, simulatedPValue(dip, sample.length, replicates, seed), sample.length);
    }

    /**
     * Hartigan's dip statistic.
     *
     * @param sample the values, {@code length >= 1}, all finite; not modified
     * @return the dip, in {@code [1/(2n), 1/4]} for {@code n >= 2} ({@code 1/2} for a single value)
     * @throws IllegalArgumentException if the sample is empty or holds a non-finite value
     */
    public static double statistic(double[] sample) {
        Validate.notNull("sample", sample);
        if (sample.length == 0) {
            throw new IllegalArgumentException("sample must hold at least one value, got none");
        }
        double[] x = sample.clone();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new IllegalArgumentException("sample[" + i + "] must be finite, got " + x[i]);
            }
        }
        Arrays.sort(x);
        return dipOfSorted(x, new int[x.length], new int[x.length]);
    }

    /**
     * The p-value {@code P(D_n >= dip)} under the uniform null, interpolated in the published table of dip quantiles
     * ({@code n} from 4 to 72,000; larger {@code n} use the last row as the asymptote).
     *
     * @param dip the observed dip
     * @param n the sample size, {@code > 0}; {@code n <= 3} gives 1 (no test is possible)
     * @return the p-value in {@code [0, 1]}; 0 means beyond every tabulated quantile ({@code p < 1e-5})
     */
    public static double pValue(double dip, int n) {
        Validate.positive("n", n);
        return DipTable.pValue(dip, n);
    }

    /**
     * The p-value {@code (1 + #{null dips >= dip}) / (1 + replicates)}, with the null dips of {@code replicates}
     * uniform samples of size {@code n}. The null dips are cached by {@code (n, replicates, seed)}, so testing many
     * dimensions of the same size costs one simulation. 2000 replicates of {@code n = 1000} take well under a second.
     *
     * @param dip the observed dip
     * @param n the sample size, {@code > 0}
     * @param replicates the number of simulated samples, {@code > 0}
     * @param seed seeds the simulation
     * @return the p-value in {@code (0, 1]}
     */
    public static double simulatedPValue(double dip, int n, int replicates, long seed) {
        Validate.positive("n", n);
        Validate.positive("replicates", replicates);
        double[] nullDips;
        synchronized (NULL_DIPS) {
            nullDips = NULL_DIPS.computeIfAbsent(new NullKey(n, replicates, seed),
                    k -> simulateNull(k.n, k.replicates, k.seed));
        }
        // nullDips is sorted: count the replicates at or above the observed dip.
        int first = Arrays.binarySearch(nullDips, dip);
        if (first < 0) {
            first = -first - 1;
        } else {
            while (first > 0 && nullDips[first - 1] >= dip) {
                first--;
            }
        }
        return (nullDips.length - first + 1.0) / (replicates + 1.0);
    }

    /** Sorted dips of uniform samples. */
    static double[] simulateNull(int n, int replicates, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[n];
        int[] lower = new int[n];
        int[] upper = new int[n];
        double[] dips = new double[replicates];
        for (int r = 0; r < replicates; r++) {
            // Sorted uniforms without sorting: partial sums of standard exponentials are the uniform order
            // statistics times a common factor, and the dip does not change under positive scaling.
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum -= Math.log(1.0 - random.nextDouble());
                x[i] = sum;
            }
            dips[r] = dipOfSorted(x, lower, upper);
        }
        Arrays.sort(dips);
        return dips;
    }

    /**
     * The dip of sorted values, following Hartigan and Hartigan (1985), Section 3: on the current interval
     * {@code [x_low, x_high]}, take the greatest convex minorant {@code G} and the least concave majorant {@code L}
     * of {@code F_n}; let {@code d} be their largest distance. If {@code d} does not exceed the distance {@code D}
     * found so far, stop: {@code dip = D / 2}. Otherwise the largest distance marks a tighter modal interval; add to
     * {@code D} the distance of {@code F_n} from {@code G} left of it and from {@code L} right of it, and repeat on it.
     *
     * <p>Counts stand in for probabilities ({@code F_n(x_i) = (i + 1) / n} for the 0-based index {@code i}). {@code G}
     * passes under the left limits {@code i} of {@code F_n} and {@code L} over its right limits {@code i + 1}, so
     * both hulls are computed through the points {@code (x_i, i)} and the offset of 1 is added back; distances are
     * then in units of {@code 1/n} and {@code dip = D / (2n)}, at least {@code 1/(2n)}. Tied values form vertical
     * hull segments, which lets the fitted unimodal distribution put an atom at its mode.
     *
     * @param x sorted finite values, {@code length >= 1}
     * @param gcm workspace, {@code length >= x.length}
     * @param lcm workspace, {@code length >= x.length}
     * @return the dip
     */
    static double dipOfSorted(double[] x, int[] gcm, int[] lcm) {
        int n = x.length;
        double distance = 1; // D in units of 1/n; 1 is the smallest distance the hulls can have
        int low = 0;
        int high = n - 1;
        while (true) {
            int g = lowerHull(x, low, high, gcm);
            int l = upperHull(x, low, high, lcm);

            // Largest L - G at the vertices of G (L evaluated at its highest value where x ties).
            double bestG = 0;
            int atG = 0;
            int r = 0;
            for (int i = 0; i < g; i++) {
                int v = gcm[i];
                while (r + 1 < l && x[lcm[r + 1]] <= x[v]) {
                    r++;
                }
                double lv = x[lcm[r]] == x[v] ? lcm[r] : interpolate(x, lcm[r], lcm[r + 1], x[v]);
                if (lv - v > bestG) {
                    bestG = lv - v;
                    atG = i;
                }
            }
            // Largest L - G at the vertices of L (G evaluated at its lowest value where x ties).
            double bestL = 0;
            int atL = 0;
            int q = 0;
            for (int j = 0; j < l; j++) {
                int v = lcm[j];
                while (x[gcm[q]] < x[v]) {
                    q++;
                }
                double gv = x[gcm[q]] == x[v] ? gcm[q] : interpolate(x, gcm[q - 1], gcm[q], x[v]);
                if (v - gv > bestL) {
                    bestL = v - gv;
                    atL = j;
                }
            }
            double d = Math.max(bestG, bestL) + 1;
            if (d <= distance) {
                break;
            }
            // The new modal interval [gcm[lowAt], lcm[highAt]] brackets where the hulls are farthest apart.
            int lowAt;
            int highAt;
            if (bestG > bestL) {
                lowAt = atG;
                highAt = l - 1;
                for (int j = 0; j < l; j++) {
                    if (lcm[j] > gcm[lowAt]) {
                        highAt = j;
                        break;
                    }
                }
            } else {
                highAt = atL;
                lowAt = 0;
                for (int i = g - 1; i >= 0; i--) {
                    if (gcm[i] < lcm[highAt]) {
                        lowAt = i;
                        break;
                    }
                }
            }
            // F_n must be convex left of the modal interval and concave right of it: its distances from G there
            // and from L there bound the dip from below.
            for (int i = 0; i < lowAt; i++) {
                distance = Math.max(distance, aboveMinorant(x, gcm[i], gcm[i + 1]));
            }
            for (int j = highAt; j < l - 1; j++) {
                distance = Math.max(distance, belowMajorant(x, lcm[j], lcm[j + 1]));
            }
            int newLow = gcm[lowAt];
            int newHigh = lcm[highAt];
            if (newLow == low && newHigh == high) {
                break;
            }
            low = newLow;
            high = newHigh;
        }
        return distance / (2.0 * n);
    }

    /** The line through {@code (x_a, a)} and {@code (x_b, b)} at {@code t}. */
    private static double interpolate(double[] x, int a, int b, double t) {
        return a + (t - x[a]) * (b - a) / (x[b] - x[a]);
    }

    /** Largest {@code F_n - G} on a minorant segment: right limit {@code jj + 1} against the line through left limits. */
    private static double aboveMinorant(double[] x, int from, int to) {
        if (to - from <= 1 || x[to] == x[from]) {
            return 0;
        }
        double slope = (to - from) / (x[to] - x[from]);
        double best = 0;
        for (int j = from; j <= to; j++) {
            best = Math.max(best, (j - from + 1) - (x[j] - x[from]) * slope);
        }
        return best;
    }

    /** Largest {@code L - F_n} on a majorant segment: the line through right limits against left limit {@code jj}. */
    private static double belowMajorant(double[] x, int from, int to) {
        if (to - from <= 1 || x[to] == x[from]) {
            return 0;
        }
        double slope = (to - from) / (x[to] - x[from]);
        double best = 0;
        for (int j = from; j <= to; j++) {
            best = Math.max(best, (x[j] - x[from]) * slope - (j - from - 1));
        }
        return best;
    }

    /**
     * Vertices of the greatest convex minorant of the points {@code (x_i, i)}, {@code low <= i <= high}, in order
     * (Andrew's monotone chain; collinear points are dropped).
     *
     * @return the number of vertices written to {@code hull}; the first is {@code low}, the last {@code high}
     */
    static int lowerHull(double[] x, int low, int high, int[] hull) {
        int top = 0;
        hull[0] = low;
        for (int j = low + 1; j <= high; j++) {
            while (top > 0) {
                int k = hull[top];
                int m = hull[top - 1];
                // k is not below the chord m -> j: slope(m, k) >= slope(k, j)
                if ((x[j] - x[k]) * (k - m) >= (x[k] - x[m]) * (j - k)) {
                    top--;
                } else {
                    break;
                }
            }
            hull[++top] = j;
        }
        return top + 1;
    }

    /**
     * Vertices of the least concave majorant of the points {@code (x_i, i)}, {@code low <= i <= high}, in order.
     *
     * @return the number of vertices written to {@code hull}; the first is {@code low}, the last {@code high}
     */
    static int upperHull(double[] x, int low, int high, int[] hull) {
        int top = 0;
        hull[0] = low;
        for (int j = low + 1; j <= high; j++) {
            while (top > 0) {
                int k = hull[top];
                int m = hull[top - 1];
                // k is not above the chord m -> j: slope(m, k) <= slope(k, j)
                if ((k - m) * (x[j] - x[k]) <= (j - k) * (x[k] - x[m])) {
                    top--;
                } else {
                    break;
                }
            }
            hull[++top] = j;
        }
        return top + 1;
    }

    private record NullKey(int n, int replicates, long seed) {}
}
