package io.github.gorl.core.optim.ppo.engine;

import io.github.gorl.core.optim.ppo.Ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.gorl.decoders.nn.Gaussian;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PpoLossTest {

    private static final float BETA = 0.3f;
    private static final float[] MU = {0.5f, -1.0f, 2.0f, 0f};
    private static final float[] STD = {0.5f, 1.0f, 2.0f, 3.0f};

    @Test
    void klToPrior_valueAndGradientMatchTheClosedForm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // One state, four latent dimensions: KL = sum(mu^2 + s^2 - 1 - 2 log s) / 2.
            NDArray mean = manager.create(MU, new Shape(1, 4));
            NDArray std = manager.create(STD, new Shape(1, 4));
            mean.setRequiresGradient(true);
            std.setRequiresGradient(true);
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray penalty = PpoLoss.scaled(PpoLoss.klToPrior(mean, std, Ppo.KlMode.ANALYTIC), BETA);
                value = penalty.getFloat();
                collector.backward(penalty);
            }
            double expected = 0;
            for (int k = 0; k < 4; k++) {
                expected += (MU[k] * MU[k] + STD[k] * STD[k] - 1 - 2 * Math.log(STD[k])) / 2;
            }
            assertThat(value).isCloseTo((float) (BETA * expected), within(1e-5f));
            float[] dMean = mean.getGradient().toFloatArray();
            float[] dStd = std.getGradient().toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(dMean[k]).as("d/dmu[%d] = beta mu", k).isCloseTo(BETA * MU[k], within(1e-6f));
                assertThat(dStd[k]).as("d/dstd[%d] = beta (std - 1/std)", k)
                        .isCloseTo(BETA * (STD[k] - 1 / STD[k]), within(1e-6f));
            }
        }
    }

    @Test
    void klToPrior_isTheMeanOverStatesAndZeroAtThePrior() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray mean = manager.create(new float[] {0, 0, 1, 1}, new Shape(2, 2));
            NDArray std = manager.create(new float[] {1, 1, 1, 1}, new Shape(2, 2));
            // State 0 is the prior (KL 0); state 1 has KL (1 + 1) / 2 = 1; the mean is 0.5.
            assertThat(PpoLoss.klToPrior(mean, std, Ppo.KlMode.ANALYTIC).getFloat()).isCloseTo(0.5f, within(1e-6f));
        }
    }

    @Test
    void klToPrior_squaredMoments_isTheReferenceSurrogate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray mean = manager.create(MU, new Shape(1, 4));
            NDArray std = manager.create(STD, new Shape(1, 4));
            mean.setRequiresGradient(true);
            std.setRequiresGradient(true);
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray penalty = PpoLoss.klToPrior(mean, std, Ppo.KlMode.SQUARED_MOMENTS);
                value = penalty.getFloat();
                collector.backward(penalty);
            }
            // mean(mu^2) + mean(std^2) = (0.25 + 1 + 4 + 0) / 4 + (0.25 + 1 + 4 + 9) / 4
            assertThat(value).isCloseTo(5.25f / 4 + 14.25f / 4, within(1e-5f));
            float[] dStd = std.getGradient().toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(dStd[k]).isCloseTo(2 * STD[k] / 4, within(1e-6f));
            }
        }
    }

    @Test
    void clippedSurrogate_stopsTheGradientOutsideTheTrustRegion() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Positive advantage: ratio 1.5 > 1 + 0.2 is clipped (no gradient), 0.9 is not.
            NDArray ratio = manager.create(new float[] {1.5f, 0.9f});
            NDArray advantages = manager.create(new float[] {1f, 1f});
            ratio.setRequiresGradient(true);
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = PpoLoss.clippedSurrogate(ratio, advantages, 0.2);
                value = loss.getFloat();
                collector.backward(loss);
            }
            assertThat(value).isCloseTo(-(1.2f + 0.9f) / 2, within(1e-6f));
            assertThat(ratio.getGradient().toFloatArray()).containsExactly(new float[] {0f, -0.5f}, within(1e-7f));
        }
    }

    @Test
    void dualClippedSurrogate_boundsNegativeAdvantageRowsAndLeavesTheRestAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // A = -1: r = 0.5 -> 0.8 (clipped), r = 2 -> 2 (below the bound), r = 10 -> 3 (dual-clipped).
            // A = +1: r = 10 -> -1.2 (PPO's clip), the dual clip does not apply.
            NDArray ratio = manager.create(new float[] {0.5f, 2f, 10f, 10f});
            NDArray advantages = manager.create(new float[] {-1f, -1f, -1f, 1f});
            ratio.setRequiresGradient(true);
            float value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = PpoLoss.dualClippedSurrogate(ratio, advantages, 0.2, 3);
                value = loss.getFloat();
                collector.backward(loss);
            }
            assertThat(value).isCloseTo((0.8f + 2f + 3f - 1.2f) / 4, within(1e-6f));
            // Only the r = 2 row has a gradient: d(-r A)/dr / 4 = 0.25.
            assertThat(ratio.getGradient().toFloatArray()).containsExactly(new float[] {0f, 0.25f, 0f, 0f},
                    within(1e-7f));
            assertThat(PpoLoss.dualClippedSurrogate(ratio, advantages, 0.2, 3).getFloat())
                    .isLessThan(PpoLoss.clippedSurrogate(ratio, advantages, 0.2).getFloat());
        }
    }

    @Test
    void valueLoss_clippedTakesThePessimisticTerm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray values = manager.create(new float[] {2f});
            NDArray targets = manager.create(new float[] {3f});
            NDArray old = manager.create(new float[] {0f});
            // The reference's form, without a factor 1/2: mean((V - R)^2) (the engine weights it by c_v = 0.25).
            assertThat(PpoLoss.valueLoss(values, targets, old, Double.NaN).getFloat()).isCloseTo(1f, within(1e-6f));
            // Clipped value 0 + clip(2, -0.5, 0.5) = 0.5: max(1, 2.5^2)
            assertThat(PpoLoss.valueLoss(values, targets, old, 0.5).getFloat()).isCloseTo(6.25f, within(1e-6f));
        }
    }

    /**
     * DJL's {@code mul(Number)} frees its scalar before the backward pass reads it; a garbage collection and a
     * reuse of the freed memory between forward and backward then corrupt the gradient. The loss terms must not
     * depend on such scalars.
     */
    @Test
    void lossGradients_surviveAGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        float[] mu = {0.5f, -1f};
        float[] sigma = {0.5f, 2f};
        float[] x = {1f, 1f};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray mean = manager.create(mu, new Shape(1, 2));
            NDArray std = manager.create(sigma, new Shape(1, 2));
            NDArray value = manager.create(new float[] {2f});
            mean.setRequiresGradient(true);
            std.setRequiresGradient(true);
            value.setRequiresGradient(true);
            for (int trial = 0; trial < 3; trial++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray latent = scope.create(x, new Shape(1, 2));
                    NDArray target = scope.create(new float[] {3f});
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = PpoLoss.scaled(PpoLoss.klToPrior(mean, std, Ppo.KlMode.ANALYTIC), BETA)
                                .add(PpoLoss.valueLoss(value, target, target, Double.NaN))
                                .sub(Gaussian.logProbability(latent, mean, std).mean())
                                .add(PpoLoss.scaled(Gaussian.entropy(std).mean(), 0.5));
                        overwriteFreedDirectMemory();
                        collector.backward(loss);
                    }
                    float[] dMean = mean.getGradient().toFloatArray();
                    float[] dStd = std.getGradient().toFloatArray();
                    for (int k = 0; k < 2; k++) {
                        float d = x[k] - mu[k];
                        float s = sigma[k];
                        assertThat(dMean[k]).isCloseTo(BETA * mu[k] - d / (s * s), within(1e-5f));
                        assertThat(dStd[k]).isCloseTo(BETA * (s - 1 / s) + 1 / s - d * d / (s * s * s) + 0.5f / s,
                                within(1e-5f));
                    }
                    // d/dV (V - R)^2 = 2 (V - R) = -2
                    assertThat(value.getGradient().toFloatArray()).containsExactly(new float[] {-2f}, within(1e-6f));
                    mean.getGradient().subi(mean.getGradient());
                    std.getGradient().subi(std.getGradient());
                    value.getGradient().subi(value.getGradient());
                }
            }
        }
    }

    /** Frees unreachable direct buffers and fills recycled memory with a value no gradient here can take. */
    private static void overwriteFreedDirectMemory() throws InterruptedException {
        System.gc();
        Thread.sleep(20);
        List<ByteBuffer> keep = new ArrayList<>();
        for (int j = 0; j < 2000; j++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            buffer.putFloat(0, 12345f);
            keep.add(buffer);
        }
        assertThat(keep).hasSize(2000);
    }
}
