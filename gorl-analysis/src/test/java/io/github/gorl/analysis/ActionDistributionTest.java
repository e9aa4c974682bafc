package io.github.gorl.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionDistributionTest {

    @TempDir
    Path temp;

    /**
     * Samples a known distribution: dimension 0 is an equal mixture of N(-0.6, 0.05^2) and N(0.6, 0.05^2) (the two
     * optima of BimodalBandit), dimension 1 is N(0.1, 0.2^2); counts its calls.
     */
    static final class BimodalPolicy implements Policy {
        private final EnvSpec spec = EnvSpec.symmetric("Stub", 3, 2, 1f, 1);
        private final Random random = new Random(7);
        int calls;

        @Override
        public float[] act(float[] observation) {
            return new float[] {0.6f, 0.1f};
        }

        @Override
        public NDArray act(NDArray observations, boolean deterministic) {
            calls++;
            int batch = (int) observations.getShape().get(0);
            float[] a = new float[batch * 2];
            for (int i = 0; i < batch; i++) {
                a[2 * i] = (float) ((random.nextBoolean() ? 0.6 : -0.6) + 0.05 * random.nextGaussian());
                a[2 * i + 1] = (float) (0.1 + 0.2 * random.nextGaussian());
            }
            return observations.getManager().create(a, new Shape(batch, 2));
        }

        @Override
        public EnvSpec spec() {
            return spec;
        }
    }

    @Test
    void sample_ofBimodalPolicy_findsTwoModesInTheBimodalDimensionOnly() throws Exception {
        BimodalPolicy policy = new BimodalPolicy();
        ActionDistribution dist = ActionDistribution.sample(policy, new float[] {1, 2, 3}, 10_000);

        assertThat(policy.calls).as("batched, never per sample").isLessThanOrEqualTo(2);
        assertThat(dist.sampleCount()).isEqualTo(10_000);
        assertThat(dist.actionDim()).isEqualTo(2);
        assertThat(dist.task()).isEqualTo("Stub");

        ActionDistribution.Dimension bimodal = dist.dimensions().get(0);
        assertThat(bimodal.modeCount()).isEqualTo(2);
        assertThat(bimodal.dip().pValue()).isLessThan(0.01);
        assertThat(bimodal.modes().get(0).location()).isCloseTo(-0.6, within(0.05));
        assertThat(bimodal.modes().get(1).location()).isCloseTo(0.6, within(0.05));
        assertThat(bimodal.modes().get(0).mass()).isCloseTo(0.5, within(0.03));

        ActionDistribution.Dimension unimodal = dist.dimensions().get(1);
        assertThat(unimodal.modeCount()).isEqualTo(1);
        assertThat(unimodal.dip().pValue()).isGreaterThan(0.05);
        assertThat(unimodal.mean()).isCloseTo(0.1, within(0.02));
        assertThat(unimodal.standardDeviation()).isCloseTo(0.2, within(0.02));
        assertThat(dist.highestVarianceDimensions()).containsExactly(0, 1);

        dist.write(temp.resolve("out"));
        byte[] png = Files.readAllBytes(temp.resolve("out/actions.png"));
        assertThat(png.length).isGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        JsonNode json = new ObjectMapper().readTree(temp.resolve("out/stats.json").toFile());
        assertThat(json.path("samples").asInt()).isEqualTo(10_000);
        assertThat(json.path("dimensions").get(0).path("modeCount").asInt()).isEqualTo(2);
        assertThat(json.path("dimensions").get(0).path("dip").path("pValue").asDouble()).isLessThan(0.01);
        assertThat(json.path("state").size()).isEqualTo(3);
        List<String> csv = Files.readAllLines(temp.resolve("out/actions.csv"));
        assertThat(csv).hasSize(10_001);
        assertThat(csv.get(0)).isEqualTo("a0,a1");
        String[] first = csv.get(1).split(",");
        assertThat(Double.parseDouble(first[0])).isEqualTo(dist.samples(0)[0]);
        assertThat(Double.parseDouble(first[1])).isEqualTo(dist.samples(1)[0]);

        String table = dist.table();
        assertThat(table).contains("Stub").contains("p-value").contains("Highest-variance dimensions: 0 and 1");
        assertThat(table.lines()).hasSize(5);
    }

    @Test
    void of_oneDimension_writesAPlotWithoutScatter() throws Exception {
        double[][] actions = new double[300][1];
        double[] normal = DipTestTest.normal(300, 9);
        for (int i = 0; i < actions.length; i++) {
            actions[i][0] = normal[i];
        }
        ActionDistribution dist = ActionDistribution.of("Line", new float[] {0}, actions);
        assertThat(dist.highestVarianceDimensions()).containsExactly(0);
        assertThat(dist.dimensions().get(0).modeCount()).isEqualTo(1);
        Path png = temp.resolve("one.png");
        dist.writePlot(png);
        assertThat(Files.size(png)).isGreaterThan(1000);
        assertThat(dist.samples(0)).containsExactly(normal);
    }

    @Test
    void invalidInputs_areRejectedWithTheReason() {
        BimodalPolicy policy = new BimodalPolicy();
        assertThatThrownBy(() -> ActionDistribution.sample(policy, new float[] {1}, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state");
        assertThatThrownBy(() -> ActionDistribution.sample(policy, new float[] {1, 2, 3}, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples");
        assertThatThrownBy(() -> ActionDistribution.of("x", new float[0], new double[][] {{1}, {2, 3}, {4}, {5}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actions[1]");
    }
}
