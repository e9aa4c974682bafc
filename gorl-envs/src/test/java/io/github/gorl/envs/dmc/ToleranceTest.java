package io.github.gorl.envs.dmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.gorl.envs.dmc.Tolerance.Sigmoid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ToleranceTest {

    @ParameterizedTest
    @EnumSource(Sigmoid.class)
    void everySigmoid_isOneInBounds_valueAtMarginAtTheMargin_andFallsOff(Sigmoid sigmoid) {
        Tolerance t = Tolerance.of(-1, 2, 0.5, sigmoid, 0.3);
        assertThat(t.apply(-1)).isEqualTo(1.0);
        assertThat(t.apply(0.3)).isEqualTo(1.0);
        assertThat(t.apply(2)).isEqualTo(1.0);
        assertThat(t.apply(2.5)).isCloseTo(0.3, within(1e-12));
        assertThat(t.apply(-1.5)).isCloseTo(0.3, within(1e-12));
        double previous = 1;
        for (double x = 2; x < 5; x += 0.01) {
            double v = t.apply(x);
            assertThat(v).isBetween(0.0, 1.0).isLessThanOrEqualTo(previous + 1e-15);
            previous = v;
        }
    }

    @Test
    void matchesDmControlFormulas() {
        // gaussian: exp(-0.5 (d * sqrt(-2 ln 0.1))^2) at d = 2 is 0.1^4
        assertThat(Tolerance.bounds(0, 0).margin(1).apply(2)).isCloseTo(1e-4, within(1e-15));
        // linear with value 0 at the margin: the cheetah's running reward
        Tolerance run = Tolerance.bounds(10, Double.POSITIVE_INFINITY).margin(10)
                .sigmoid(Sigmoid.LINEAR).valueAtMargin(0);
        assertThat(run.apply(3)).isCloseTo(0.3, within(1e-12));
        assertThat(run.apply(-1)).isZero();
        assertThat(run.apply(12)).isEqualTo(1.0);
        // quadratic with value 0 at the margin: the hopper's small-control term
        Tolerance small = Tolerance.bounds(0, 0).margin(1).sigmoid(Sigmoid.QUADRATIC).valueAtMargin(0);
        assertThat(small.apply(0.5)).isCloseTo(0.75, within(1e-12));
        assertThat(small.apply(-1)).isZero();
        // reciprocal and long tail at d = 1 with value 0.5
        assertThat(Tolerance.of(0, 0, 2, Sigmoid.RECIPROCAL, 0.5).apply(4)).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(Tolerance.of(0, 0, 1, Sigmoid.LONG_TAIL, 0.5).apply(2)).isCloseTo(0.2, within(1e-12));
        // margin 0 is a hard indicator
        assertThat(Tolerance.bounds(0.6, 2).apply(0.59)).isZero();
        assertThat(Tolerance.bounds(0.6, 2).apply(0.6)).isEqualTo(1.0);
    }

    @Test
    void rejectsBadParameters_namingTheValue() {
        assertThatThrownBy(() -> Tolerance.bounds(2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(2.0, 1.0)");
        assertThatThrownBy(() -> Tolerance.bounds(0, 1).margin(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1.0");
        assertThatThrownBy(() -> Tolerance.bounds(0, 1).valueAtMargin(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gaussian");
        assertThatThrownBy(() -> Tolerance.of(0, 1, 1, Sigmoid.LINEAR, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1)");
    }
}
