package io.github.gorl.core.optim.ppo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import io.github.gorl.core.optim.ppo.engine.PpoPolicy;
import io.github.gorl.decoders.nn.Gaussian;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Latent PPO under the bounded latent {@code z = tanh(u)}, {@code u ~ N(mu, sigma^2)}: the entropy bonus with
 * {@code tanhEntropyCorrection} is the entropy of {@code z}; log-probabilities, the ratio and the KL stay on {@code u}
 * because the tanh Jacobian cancels in both.
 */
class BoundedLatentEntropyTest {

    private static final int DIMS = 2;
    private static final double LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    /** {@code log p_z(z)} of {@code z = tanh(u)}, {@code u ~ N(m, s^2)}, from {@code z} alone (change of variables). */
    private static double logDensityOfZ(double z, double m, double s) {
        double u = 0.5 * Math.log((1 + z) / (1 - z)); // atanh
        double x = (u - m) / s;
        return -0.5 * x * x - Math.log(s) - LOG_SQRT_TWO_PI - Math.log(1 - z * z);
    }

    /** {@code -int p_z log p_z dz} over {@code (-1, 1)} by the midpoint rule: the entropy of tanh(N(m, s^2)). */
    private static double entropyOfZ(double m, double s) {
        int n = 2_000_000;
        double h = 2.0 / n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double z = -1 + (i + 0.5) * h;
            double lp = logDensityOfZ(z, m, s);
            if (lp > -700) {
                sum -= Math.exp(lp) * lp * h;
            }
        }
        return sum;
    }

    private static PpoEngine atThePrior(boolean correction) {
        PpoEngine ppo = (PpoEngine) Ppo.latent().actorLayers(8).criticLayers(8).tanhEntropyCorrection(correction)
                .build();
        ppo.initialize(EnvSpec.symmetric("Two", 1, DIMS, 1f, 5), Device.cpu(), 3);
        ppo.resetToPrior(); // pi(u | s) = N(0, I) exactly
        return ppo;
    }

    @Test
    void tanhEntropyCorrection_estimatesTheEntropyOfTanhU_againstANumericalIntegralOverZ() {
        double exact = DIMS * entropyOfZ(0, 1);
        int rows = 40_000;
        for (boolean correction : new boolean[] {true, false}) {
            try (PpoEngine ppo = atThePrior(correction); NDManager manager = NDManager.newBaseManager()) {
                PpoPolicy policy = ppo.policy();
                NDArray obs = manager.zeros(new Shape(rows, 1));
                NDArray u = manager.zeros(new Shape(rows, DIMS));
                PpoPolicy.Evaluation e = policy.evaluate(obs, u, null, new SplittableRandom(17));
                double estimate = e.lossTerms()[0].getFloat();
                if (correction) {
                    // One-sample Monte Carlo over 40,000 rows: standard error about 0.005 per dimension.
                    assertThat(estimate).isCloseTo(exact, within(0.03));
                } else {
                    assertThat(estimate).isCloseTo(DIMS * (0.5 + LOG_SQRT_TWO_PI), within(1e-5));
                    assertThat(estimate - exact).as("without it, the Gaussian's entropy, not z's").isGreaterThan(0.5);
                }
            }
        }
    }

    @Test
    void logProbabilitiesAreOfU_soTheRatioOfTheBoundedLatentsDensitiesIsTheGaussians() {
        float[] u = {-2.1f, 0.3f, 0.9f, 1.7f};
        try (PpoEngine ppo = atThePrior(true); NDManager manager = NDManager.newBaseManager()) {
            NDArray obs = manager.zeros(new Shape(2, 1));
            float[] logp = ppo.policy().evaluate(obs, manager.create(u, new Shape(2, DIMS)), null,
                    new SplittableRandom(1)).statistic().toFloatArray();
            // Another Gaussian policy N(m, s^2) in every dimension.
            double m = 0.4;
            double s = 0.7;
            for (int r = 0; r < 2; r++) {
                double priorU = 0;
                double otherU = 0;
                double priorZ = 0;
                double otherZ = 0;
                for (int j = 0; j < DIMS; j++) {
                    double x = u[r * DIMS + j];
                    priorU += -0.5 * x * x - LOG_SQRT_TWO_PI;
                    otherU += -0.5 * (x - m) * (x - m) / (s * s) - Math.log(s) - LOG_SQRT_TWO_PI;
                    double z = Math.tanh(x);
                    priorZ += logDensityOfZ(z, 0, 1);
                    otherZ += logDensityOfZ(z, m, s);
                }
                assertThat((double) logp[r]).as("PPO's statistic is log N(u; 0, I)").isCloseTo(priorU, within(1e-5));
                assertThat(otherZ - priorZ).as("the ratio in z equals the ratio in u").isCloseTo(otherU - priorU,
                        within(1e-6));
            }
        }
    }

    @Test
    void theKlBetweenTwoTanhTransformedGaussians_isTheGaussiansKl() {
        double m = 0.5;
        double s = 0.6;
        double monteCarlo = 0;
        int n = 400_000;
        SplittableRandom random = new SplittableRandom(23);
        for (int i = 0; i < n; i++) {
            double z = Math.tanh(m + s * random.nextGaussian());
            monteCarlo += logDensityOfZ(z, m, s) - logDensityOfZ(z, 0, 1);
        }
        monteCarlo /= n;
        try (NDManager manager = NDManager.newBaseManager()) {
            double analytic = Gaussian.klToStandardNormal(manager.create(new float[] {(float) m}, new Shape(1, 1)),
                    manager.create(new float[] {(float) s}, new Shape(1, 1))).getFloat();
            assertThat(monteCarlo).isCloseTo(analytic, within(0.005));
        }
    }
}
