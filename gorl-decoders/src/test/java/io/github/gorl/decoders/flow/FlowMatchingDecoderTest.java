package io.github.gorl.decoders.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.decoders.ToyData;
import org.junit.jupiter.api.Test;

class FlowMatchingDecoderTest {

    @Test
    void fit_reproducesBothModesOfABimodalConditionalTarget() {
        try (FlowMatchingDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(64, 64, 64).build();
                NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(ToyData.spec(1, 1), Device.cpu(), 1);
            decoder.resetToIdentity();
            FitResult result = decoder.fit(ToyData.bimodal(3000, 2), new FitOptions(40, 3e-3, 250, 8, 0.1, 100, 3),
                    null);
            assertThat(result.bestValidationLoss()).isLessThan(0.95);
            for (float c : new float[] {-1f, 1f}) {
                float[] samples = decoder.sample(manager.create(new float[] {c}, new Shape(1, 1)), 10_000)
                        .toFloatArray();
                double[] modes = ToyData.modes(samples);
                assertThat(modes[0]).as("share of the +0.7 mode at c=%s", c).isGreaterThan(0.3);
                assertThat(modes[1]).as("share of the -0.7 mode at c=%s", c).isGreaterThan(0.3);
                assertThat(modes[2]).as("share in the valley |a| < 0.2 at c=%s", c).isLessThan(0.08);
                assertThat(modes[3]).isCloseTo(0.7, within(0.1));
                assertThat(modes[4]).isCloseTo(-0.7, within(0.1));
            }
        }
    }

    @Test
    void fit_learnsAConditionalDependence() {
        try (FlowMatchingDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(64, 64).build();
                NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(ToyData.spec(1, 1), Device.cpu(), 1);
            decoder.resetToIdentity();
            decoder.fit(ToyData.linear(2000, 4), new FitOptions(25, 3e-3, 200, 8, 0.1, 100, 5), null);
            float[] states = {-1.5f, 0f, 1.5f};
            float[] samples = decoder.sample(manager.create(states, new Shape(3, 1)), 2000).toFloatArray();
            for (int i = 0; i < states.length; i++) {
                double mean = 0;
                double square = 0;
                for (int j = 0; j < 2000; j++) {
                    mean += samples[i * 2000 + j];
                    square += samples[i * 2000 + j] * samples[i * 2000 + j];
                }
                mean /= 2000;
                double std = Math.sqrt(square / 2000 - mean * mean);
                assertThat(mean).as("mean action at s=%s", states[i]).isCloseTo(0.5 * states[i], within(0.1));
                assertThat(std).as("spread at s=%s", states[i]).isLessThan(0.2);
            }
        }
    }

    @Test
    void decode_isDeterministicGivenTheLatent() {
        try (FlowMatchingDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(16).build();
                NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(ToyData.spec(2, 2), Device.cpu(), 1);
            NDArray obs = ToyData.normal(manager, 8, 2, 1, 1);
            NDArray eps = ToyData.normal(manager, 8, 2, 1, 2);
            float[] first = decoder.decode(obs, eps).toFloatArray();
            assertThat(first).isNotEqualTo(eps.toFloatArray());
            assertThat(decoder.decode(obs, eps).toFloatArray()).isEqualTo(first);
        }
    }
}
