package io.github.gorl.decoders.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void alphaBars_decreaseStrictlyFromNearlyOneToNearlyZero() {
        for (NoiseSchedule schedule : new NoiseSchedule[] {NoiseSchedule.COSINE, NoiseSchedule.LINEAR}) {
            for (int timesteps : new int[] {10, 100, 1000}) {
                double[] alphaBars = schedule.alphaBars(timesteps);
                assertThat(alphaBars).hasSize(timesteps);
                assertThat(alphaBars[0]).isLessThan(1).isGreaterThan(0.95);
                assertThat(alphaBars[timesteps - 1]).isGreaterThan(0).isLessThan(1e-3);
                for (int t = 1; t < timesteps; t++) {
                    assertThat(alphaBars[t]).isLessThan(alphaBars[t - 1]);
                }
            }
        }
    }

    @Test
    void cosine_followsTheClosedFormAwayFromTheClippedEnd() {
        double[] alphaBars = NoiseSchedule.COSINE.alphaBars(100);
        double u = 0.5;
        double expected = Math.pow(Math.cos((u + 0.008) / 1.008 * Math.PI / 2), 2)
                / Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        assertThat(alphaBars[49]).isCloseTo(expected, within(1e-12));
    }

    @Test
    void linear_matchesDdpmForOneThousandSteps() {
        double[] alphaBars = NoiseSchedule.LINEAR.alphaBars(1000);
        assertThat(alphaBars[0]).isCloseTo(1 - 1e-4, within(1e-12));
        assertThat(alphaBars[999]).isCloseTo(4.0358e-5, within(1e-7));
    }

    @Test
    void linearAlphaBar_isTheAuthorsLinearSignalLevelOnTheNoiseGrid() {
        // abar(u) = 1e-3 + 0.999 (1 - u) at u = (t + 1) / T: 0.9001, 0.8002, ..., 0.001 for T = 10.
        double[] alphaBars = NoiseSchedule.LINEAR_ALPHA_BAR.alphaBars(10);
        assertThat(alphaBars[0]).isCloseTo(0.9001, within(1e-12));
        assertThat(alphaBars[4]).isCloseTo(0.5005, within(1e-12));
        assertThat(alphaBars[9]).isCloseTo(1e-3, within(1e-15));
        for (int t = 1; t < 10; t++) {
            assertThat(alphaBars[t]).isLessThan(alphaBars[t - 1]);
        }
    }
}
