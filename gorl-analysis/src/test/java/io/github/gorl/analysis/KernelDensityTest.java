package io.github.gorl.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelDensityTest {

    @Test
    void silvermanBandwidth_isRsBwNrd0() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        // sd = sqrt(82.5 / 9) = 3.0277 < IQR / 1.34 = 4.5 / 1.34, so h = 0.9 sd n^(-1/5) (R: bw.nrd0(1:10) = 1.719).
        double expected = 0.9 * Math.sqrt(82.5 / 9) * Math.pow(10, -0.2);
        assertThat(KernelDensity.silvermanBandwidth(x)).isCloseTo(expected, within(1e-12)).isCloseTo(1.719,
                within(5e-4));
        assertThat(KernelDensity.fit(x).bandwidth()).isEqualTo(KernelDensity.silvermanBandwidth(x));
        // Zero spread falls back to |x_1|.
        assertThat(KernelDensity.silvermanBandwidth(new double[] {2, 2, 2})).isCloseTo(
                0.9 * 2 * Math.pow(3, -0.2), within(1e-12));
    }

    @Test
    void density_integratesToOne() {
        KernelDensity kde = KernelDensity.fit(DipTestTest.mixture(400, 3));
        KernelDensity.Grid grid = kde.grid(2000);
        double integral = 0;
        for (int i = 0; i + 1 < grid.x().length; i++) {
            integral += 0.5 * (grid.density()[i] + grid.density()[i + 1]) * (grid.x()[i + 1] - grid.x()[i]);
        }
        assertThat(integral).isCloseTo(1.0, within(1e-3));
        assertThat(kde.density(0.3)).isCloseTo(KernelDensity.fit(DipTestTest.mixture(400, 3), kde.bandwidth())
                .density(0.3), within(1e-15));
    }

    @Test
    void modes_ofNormalSample_isOneWithAllTheMass() {
        List<KernelDensity.Mode> modes = KernelDensity.fit(DipTestTest.normal(500, 1)).modes();
        assertThat(modes).hasSize(1);
        assertThat(modes.get(0).location()).isCloseTo(0.0, within(0.3));
        assertThat(modes.get(0).mass()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void modes_ofNormalSamples_ignoreChanceWiggles() {
        for (long seed = 100; seed < 120; seed++) {
            KernelDensity kde = KernelDensity.fit(DipTestTest.normal(500, seed));
            assertThat(kde.modes()).as("seed %d", seed).hasSize(1);
        }
        // Without the depth test, seed 105's sample shows a chance second maximum.
        assertThat(KernelDensity.fit(DipTestTest.normal(500, 105)).modes(512, 0.05, 0)).hasSizeGreaterThan(1);
    }

    @Test
    void modes_ofEqualMixture_areTwoWithHalfTheMassEach() {
        List<KernelDensity.Mode> modes = KernelDensity.fit(DipTestTest.mixture(500, 2)).modes();
        assertThat(modes).hasSize(2);
        assertThat(modes.get(0).location()).isCloseTo(-3.0, within(0.5));
        assertThat(modes.get(1).location()).isCloseTo(3.0, within(0.5));
        assertThat(modes.get(0).mass()).isCloseTo(0.5, within(0.05));
        assertThat(modes.get(0).mass() + modes.get(1).mass()).isCloseTo(1.0, within(1e-9));
        // The antimode between them is near 0.
        assertThat(modes.get(0).upper()).isEqualTo(modes.get(1).lower()).isCloseTo(0.0, within(1.0));
    }

    @Test
    void modes_belowTheRelativeHeight_areIgnored() {
        // 95% of the mass at 0, 5% at 10: the small bump is ~5% as high, kept at 1% and dropped at 20%.
        double[] x = new double[1000];
        java.util.Random random = new java.util.Random(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian() + (i < 50 ? 10 : 0);
        }
        KernelDensity kde = KernelDensity.fit(x);
        assertThat(kde.modes(512, 0.01, 0.1)).hasSize(2);
        List<KernelDensity.Mode> one = kde.modes(512, 0.2, 0.1);
        assertThat(one).hasSize(1);
        assertThat(one.get(0).mass()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void invalidArguments_areRejected() {
        assertThatThrownBy(() -> KernelDensity.fit(new double[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("samples");
        assertThatThrownBy(() -> KernelDensity.fit(new double[] {1}, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bandwidth");
        assertThatThrownBy(() -> KernelDensity.fit(new double[] {1}).grid(2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("points");
    }
}
