package io.github.gorl.decoders.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void pytorchEngine_loadsOfflineAndRunsForwardAndBackward() {
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(engine.getEngineName()).isEqualTo("PyTorch");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1f, 2f, 3f}, new Shape(3, 1));
            w.setRequiresGradient(true);
            NDArray x = manager.create(new float[] {1f, 1f, 1f, 2f, 0f, -1f}, new Shape(2, 3));
            try (GradientCollector collector = engine.newGradientCollector()) {
                NDArray loss = x.matMul(w).square().sum(); // (6)^2 + (-1)^2
                assertThat(loss.getFloat()).isEqualTo(37f);
                collector.backward(loss);
            }
            // d/dw sum((x w)^2) = 2 x^T (x w) = 2 * [6 - 2*1, 6, 6 + 1] ... computed exactly:
            float[] grad = w.getGradient().toFloatArray();
            assertThat(grad).containsExactly(2 * (6 * 1 + -1 * 2), 2 * (6 * 1), 2 * (6 * 1 + -1 * -1));
        }
    }

    @Test
    void adam_minimizesQuadraticAndClipsGlobalNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Mlp mlp = new Mlp(manager, 2, new int[] {16}, 1, 7);
            Adam adam = new Adam(mlp.parameters(), 1e-2);
            NDArray x = manager.create(new float[] {1, 0, 0, 1, 1, 1, -1, 2}, new Shape(4, 2));
            NDArray y = manager.create(new float[] {1, -1, 0, 3}, new Shape(4, 1));
            double first = Double.NaN;
            double last = Double.NaN;
            int liveAfterWarmup = -1;
            for (int i = 0; i < 300; i++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = mlp.forward(xs).sub(y).square().mean();
                        last = loss.getFloat();
                        if (i == 0) {
                            first = last;
                        }
                        c.backward(loss);
                    }
                    double norm = adam.clipGradientNorm(0.5);
                    assertThat(adam.gradientNorm()).isLessThanOrEqualTo(Math.max(0.5, 0) + 1e-4);
                    assertThat(norm).isFinite();
                    adam.step();
                }
                if (i == 10) {
                    liveAfterWarmup = countLive(manager);
                }
            }
            assertThat(last).isLessThan(first * 0.05);
            // Nothing accumulates per step: every temporary is freed by the step's scope.
            assertThat(countLive(manager)).isEqualTo(liveAfterWarmup);
        }
    }

    private static int countLive(NDManager manager) {
        int n = manager.getManagedArrays().size();
        return n;
    }

    @Test
    void mlp_zeroOutputLayer_outputsExactZeroForAnyInput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Mlp mlp = new Mlp(manager, 3, new int[] {8, 8}, 2, 1);
            mlp.zeroOutputLayer();
            NDArray out = mlp.forward(manager.randomNormal(new Shape(5, 3)).mul(100));
            assertThat(out.toFloatArray()).containsOnly(0f);
            assertThat(mlp.parameters()).hasSize(6);
            List<NDArray> p = mlp.parameters();
            assertThat(p.get(0).getShape()).isEqualTo(new Shape(3, 8));
        }
    }
}
