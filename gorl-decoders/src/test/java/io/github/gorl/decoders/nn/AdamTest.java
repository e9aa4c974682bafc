package io.github.gorl.decoders.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {

    private static final double LR = 1e-2;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;

    /** Makes {@code grad p = c} exactly: the loss is {@code sum(p * c)}. */
    private static void backwardLinear(NDManager manager, List<NDArray> parameters, float[][] c) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                NDArray term = p.mul(scope.create(c[i], p.getShape())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    /**
     * The bias-corrected Adam of Kingma and Ba in doubles, one step on {@code p} with gradient {@code g}.
     * {@code m} and {@code v} are updated in place.
     */
    private static void referenceStep(double[] p, double[] m, double[] v, double[] g, long t) {
        for (int k = 0; k < p.length; k++) {
            m[k] = B1 * m[k] + (1 - B1) * g[k];
            v[k] = B2 * v[k] + (1 - B2) * g[k] * g[k];
            double mHat = m[k] / (1 - Math.pow(B1, t));
            double vHat = v[k] / (1 - Math.pow(B2, t));
            p[k] -= LR * mHat / (Math.sqrt(vHat) + EPS);
        }
    }

    @Test
    void step_matchesBiasCorrectedAdamOnFixedGradients() {
        float[] start = {0.5f, -1.25f, 2f, 0f, 3e-3f, -7f};
        float[] gradient = {1f, -2f, 0.25f, 1e-4f, -30f, 0f};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(start, new Shape(2, 3));
            w.setRequiresGradient(true);
            Adam adam = new Adam(List.of(w), LR, B1, B2, EPS);
            double[] p = new double[6];
            double[] m = new double[6];
            double[] v = new double[6];
            double[] g = new double[6];
            for (int k = 0; k < 6; k++) {
                p[k] = start[k];
            }
            for (int t = 1; t <= 5; t++) {
                // A different gradient each step, so that the moments mix several values.
                float[] gt = new float[6];
                for (int k = 0; k < 6; k++) {
                    gt[k] = gradient[k] * (t % 2 == 0 ? -0.5f : 1f) * t;
                    g[k] = gt[k];
                }
                backwardLinear(manager, List.of(w), new float[][] {gt});
                adam.step();
                referenceStep(p, m, v, g, t);
                float[] actual = w.toFloatArray();
                for (int k = 0; k < 6; k++) {
                    assertThat((double) actual[k]).as("parameter %d after step %d", k, t)
                            .isCloseTo(p[k], within(1e-6 + 1e-6 * Math.abs(p[k])));
                }
                // The update zeroes the gradients for the next backward pass.
                assertThat(w.getGradient().toFloatArray()).containsOnly(0f);
            }
        }
    }

    @Test
    void clipGradientNorm_returnsGlobalNormAndScalesTheNextStep() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {1f, 1f}, new Shape(2));
            NDArray b = manager.create(new float[] {2f, 2f}, new Shape(2));
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Adam adam = new Adam(List.of(a, b), LR, B1, B2, EPS);
            // Global norm of [3, 4] and [0, 0] is 5.
            backwardLinear(manager, List.of(a, b), new float[][] {{3f, 4f}, {0f, 0f}});
            assertThat(adam.gradientNorm()).isCloseTo(5.0, within(1e-6));

            assertThat(adam.clipGradientNorm(1.0)).isCloseTo(5.0, within(1e-6));
            assertThat(adam.gradientNorm()).isCloseTo(1.0, within(1e-6));
            adam.step();

            double scale = 1.0 / (5.0 + 1e-6);
            double[] p = {1, 1};
            referenceStep(p, new double[2], new double[2], new double[] {3 * scale, 4 * scale}, 1);
            float[] actual = a.toFloatArray();
            assertThat((double) actual[0]).isCloseTo(p[0], within(1e-6));
            assertThat((double) actual[1]).isCloseTo(p[1], within(1e-6));
            assertThat(b.toFloatArray()).containsExactly(2f, 2f);
            // The scale belonged to that step only.
            assertThat(adam.gradientNorm()).isZero();
        }
    }

    @Test
    void clipGradientNorm_belowTheLimit_leavesTheStepUnscaled() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {0f, 0f}, new Shape(2));
            a.setRequiresGradient(true);
            Adam adam = new Adam(List.of(a), LR, B1, B2, EPS);
            backwardLinear(manager, List.of(a), new float[][] {{0.3f, -0.4f}});
            assertThat(adam.clipGradientNorm(1.0)).isCloseTo(0.5, within(1e-6));
            assertThat(adam.gradientNorm()).isCloseTo(0.5, within(1e-6));
            adam.step();
            // The first bias-corrected Adam step moves each coordinate by lr against the gradient's sign.
            float[] actual = a.toFloatArray();
            assertThat((double) actual[0]).isCloseTo(-LR, within(1e-6));
            assertThat((double) actual[1]).isCloseTo(LR, within(1e-6));
        }
    }

    @Test
    void zeroGradients_dropsGradientsAndAPendingClipScale() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {0f, 0f}, new Shape(2));
            a.setRequiresGradient(true);
            Adam adam = new Adam(List.of(a), LR, B1, B2, EPS);
            backwardLinear(manager, List.of(a), new float[][] {{30f, 40f}});
            adam.clipGradientNorm(1.0);
            adam.zeroGradients();
            assertThat(adam.gradientNorm()).isZero();
            backwardLinear(manager, List.of(a), new float[][] {{0.3f, 0.4f}});
            assertThat(adam.gradientNorm()).isCloseTo(0.5, within(1e-6));
        }
    }
}
