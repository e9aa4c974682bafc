package io.github.gorl.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DipTestTest {

    /** R's diptest::statfaculty (Hartigan and Hartigan 1985's example), n = 63. */
    private static final double[] STAT_FACULTY = {
        30, 33, 35, 36, 37, 37, 39, 39, 39, 39, 39, 40, 40, 40, 40, 41, 42, 43, 43, 43, 44, 44, 45, 45, 46,
        46, 47, 47, 48, 48, 48, 49, 50, 50, 51, 52, 52, 53, 53, 53, 53, 53, 54, 54, 57, 57, 59, 60, 60, 60,
        61, 61, 61, 61, 62, 62, 62, 62, 63, 66, 70, 72, 72};

    static double[] normal(int n, long seed) {
        Random random = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian();
        }
        return x;
    }

    /** An equal mixture of N(-3, 1) and N(3, 1). */
    static double[] mixture(int n, long seed) {
        Random random = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextGaussian() + (i % 2 == 0 ? 3 : -3);
        }
        return x;
    }

    @Test
    void statistic_ofPublishedExamples_matchesRDiptest() {
        // Values printed by R's diptest in its tests/ex1.Rout.save (version 0.77-2).
        assertThat(DipTest.statistic(STAT_FACULTY)).isCloseTo(0.0595, within(5e-4)).isCloseTo(7.5 / 126,
                within(1e-12));
        assertThat(DipTest.statistic(new double[] {0, 2, 3, 5, 6})).isCloseTo(2.0 / 15, within(1e-12));
        assertThat(DipTest.statistic(new double[] {6, 4, 3, 1, 0})).isCloseTo(2.0 / 15, within(1e-12));
        assertThat(DipTest.statistic(new double[] {0, 1, 3, 6})).isEqualTo(1.0 / 8);
        assertThat(DipTest.statistic(new double[] {1, 1, 2, 2})).isEqualTo(0.25);
        double[] oneThenNineTwos = {1, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        assertThat(DipTest.statistic(oneThenNineTwos)).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void statistic_ofAnySample_liesBetweenOneOverTwoNAndAQuarter_andIgnoresMirroringAndScale() {
        Random random = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            int n = 2 + random.nextInt(60);
            double[] x = new double[n];
            double[] mirrored = new double[n];
            double[] affine = new double[n];
            for (int i = 0; i < n; i++) {
                // Rounded values: ties are frequent, the hard case of the algorithm.
                x[i] = Math.rint(3 * random.nextGaussian() + (random.nextBoolean() ? 5 : 0));
                mirrored[i] = -x[i];
                affine[i] = 2.5 * x[i] + 7;
            }
            double dip = DipTest.statistic(x);
            assertThat(dip).as("dip of %s", Arrays.toString(x)).isBetween(1.0 / (2 * n) - 1e-12, 0.25 + 1e-12);
            assertThat(DipTest.statistic(mirrored)).isCloseTo(dip, within(1e-12));
            assertThat(DipTest.statistic(affine)).isCloseTo(dip, within(1e-12));
        }
    }

    @Test
    void statistic_ofEvenGrid_isOneOverTwoN() {
        for (int n : new int[] {2, 3, 10, 101, 1000}) {
            double[] grid = new double[n];
            for (int i = 0; i < n; i++) {
                grid[i] = i * 0.5;
            }
            assertThat(DipTest.statistic(grid)).isCloseTo(1.0 / (2 * n), within(1e-12));
        }
    }

    @Test
    void statistic_ofTwoFarApartEqualPointMasses_isAQuarter() {
        double[] x = new double[200];
        Arrays.fill(x, 100, 200, 1000.0);
        assertThat(DipTest.statistic(x)).isEqualTo(0.25);
    }

    @Test
    void statistic_ofIdenticalValues_isOneOverTwoN() {
        assertThat(DipTest.statistic(new double[] {3, 3, 3, 3, 3, 3, 3})).isCloseTo(1.0 / 14, within(1e-12));
        assertThat(DipTest.statistic(new double[] {42})).isEqualTo(0.5);
    }

    @Test
    void statistic_doesNotModifyTheSample() {
        double[] x = {3, 1, 2};
        DipTest.statistic(x);
        assertThat(x).containsExactly(3, 1, 2);
    }

    @Test
    void test_separatesUnimodalFromBimodalSamples() {
        DipResult unimodal = DipTest.test(normal(500, 1));
        DipResult bimodal = DipTest.test(mixture(500, 2));
        assertThat(unimodal.n()).isEqualTo(500);
        assertThat(unimodal.pValue()).isGreaterThan(0.05);
        assertThat(bimodal.pValue()).isLessThan(0.01);
        assertThat(bimodal.rejectsUnimodality(0.01)).isTrue();
        assertThat(bimodal.statistic()).isGreaterThan(unimodal.statistic());

        DipResult unimodalSimulated = DipTest.test(normal(500, 1), 1000, 5);
        DipResult bimodalSimulated = DipTest.test(mixture(500, 2), 1000, 5);
        assertThat(unimodalSimulated.pValue()).isGreaterThan(0.05);
        assertThat(bimodalSimulated.pValue()).isLessThan(0.01);
    }

    @Test
    void pValue_fromTable_agreesWithSimulation() {
        for (int n : new int[] {50, 200}) {
            // Columns of probabilities 0.1, 0.5, 0.9 and 0.98, i.e. p-values 0.9, 0.5, 0.1 and 0.02.
            for (int column : new int[] {4, 8, 12, 14}) {
                // The table's quantile for probability 1 - p must have a simulated p-value near p.
                double p = 1 - DipTable.PROBABILITIES[column];
                double dip = DipTable.QUANTILES[Arrays.binarySearch(DipTable.SIZES, n)][column];
                assertThat(DipTest.pValue(dip, n)).isCloseTo(p, within(1e-9));
                assertThat(DipTest.simulatedPValue(dip, n, 2000, 3)).as("n=%d p=%s", n, p)
                        .isCloseTo(p, within(0.035));
            }
        }
    }

    @Test
    void pValue_decreasesWithTheDip_andInterpolatesBetweenSizes() {
        double previous = 1;
        for (double dip = 0.001; dip < 0.2; dip += 0.001) {
            double p = DipTest.pValue(dip, 300);
            assertThat(p).isBetween(0.0, previous);
            previous = p;
        }
        // Between the rows n = 200 and n = 500, sqrt(n) * dip quantiles are interpolated.
        double dip = DipTable.QUANTILES[12][3] * Math.sqrt(200.0 / 350);
        assertThat(DipTest.pValue(dip, 350)).isBetween(0.9, 1.0);
        assertThat(DipTest.pValue(0.5, 100_000)).isZero();
        assertThat(DipTest.pValue(0.25, 3)).isEqualTo(1.0);
    }

    @Test
    void table_rowsAreCompleteAndNonDecreasing() {
        assertThat(DipTable.QUANTILES.length).isEqualTo(DipTable.SIZES.length);
        for (int i = 0; i < DipTable.SIZES.length; i++) {
            double[] row = DipTable.QUANTILES[i];
            assertThat(row).hasSameSizeAs(DipTable.PROBABILITIES);
            for (int j = 1; j < row.length; j++) {
                assertThat(row[j]).as("n=%d column %d", DipTable.SIZES[i], j).isGreaterThanOrEqualTo(row[j - 1]);
            }
            assertThat(row[0]).isGreaterThanOrEqualTo(1.0 / (2 * DipTable.SIZES[i]) - 1e-9);
        }
    }

    @Test
    void simulatedPValue_isDeterministicAndFast() {
        long start = System.nanoTime();
        double first = DipTest.simulatedPValue(0.02, 1000, 2000, 42);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(DipTest.simulatedPValue(0.02, 1000, 2000, 42)).isEqualTo(first);
        assertThat(DipTest.simulateNull(1000, 50, 42)).containsExactly(DipTest.simulateNull(1000, 50, 42));
        assertThat(first).isBetween(0.0, 1.0);
        // About 0.4 s on one core here; the bound only catches an accidental quadratic algorithm.
        assertThat(seconds).isLessThan(10.0);
    }

    @Test
    void invalidSamples_areRejectedWithTheReason() {
        assertThatThrownBy(() -> DipTest.statistic(new double[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one value");
        assertThatThrownBy(() -> DipTest.statistic(new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample[1]");
        assertThatThrownBy(() -> DipTest.simulatedPValue(0.1, 10, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("replicates");
    }
}
