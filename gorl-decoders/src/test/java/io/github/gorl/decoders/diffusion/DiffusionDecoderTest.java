package io.github.gorl.decoders.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.decoders.ToyData;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusionDecoderTest {

    @Test
    void fit_reproducesBothModesOfABimodalConditionalTarget() {
        try (DiffusionDecoder decoder = DiffusionDecoder.builder().hiddenLayers(64, 64, 64).build();
                NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(ToyData.spec(1, 1), Device.cpu(), 1);
            decoder.resetToIdentity();
            FitResult result = decoder.fit(ToyData.bimodal(3000, 2), new FitOptions(40, 3e-3, 250, 8, 0.1, 100, 3),
                    null);
            assertThat(result.bestValidationLoss()).isLessThan(0.35);
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
    void fit_learnsAConditionalDependence_withTheLinearSchedule() {
        try (DiffusionDecoder decoder = DiffusionDecoder.builder().hiddenLayers(64, 64)
                .schedule(NoiseSchedule.LINEAR).build();
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
    void ddimWithEtaZero_isDeterministicGivenTheLatent_andEtaAboveZeroIsNot() {
        try (DiffusionDecoder deterministic = DiffusionDecoder.builder().hiddenLayers(16).build();
                DiffusionDecoder stochastic = DiffusionDecoder.builder().hiddenLayers(16).eta(1.0).build();
                NDManager manager = NDManager.newBaseManager()) {
            deterministic.initialize(ToyData.spec(2, 2), Device.cpu(), 1);
            stochastic.initialize(ToyData.spec(2, 2), Device.cpu(), 1);
            NDArray obs = ToyData.normal(manager, 8, 2, 1, 1);
            NDArray eps = ToyData.normal(manager, 8, 2, 1, 2);
            float[] first = deterministic.decode(obs, eps).toFloatArray();
            assertThat(first).isNotEqualTo(eps.toFloatArray());
            assertThat(deterministic.decode(obs, eps).toFloatArray()).isEqualTo(first);
            float[] a = stochastic.decode(obs, eps).toFloatArray();
            float[] b = stochastic.decode(obs, eps).toFloatArray();
            assertThat(a).isNotEqualTo(b);
            assertThat(stochastic.config()).containsEntry("eta", 1.0);
        }
    }

    @Test
    void resetToIdentity_isExactForEveryScheduleAndGrid() {
        DiffusionDecoder[] decoders = {
            DiffusionDecoder.builder().hiddenLayers(16).schedule(NoiseSchedule.LINEAR).build(),
            DiffusionDecoder.builder().hiddenLayers(16).trainingTimesteps(1000).steps(10).build(),
            DiffusionDecoder.builder().hiddenLayers(16).trainingTimesteps(7).steps(7).build(),
            DiffusionDecoder.builder().hiddenLayers(16).trainingTimesteps(64).steps(1).build(),
        };
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray obs = ToyData.normal(manager, 100, 2, 5, 1);
            NDArray eps = ToyData.normal(manager, 100, 3, 2, 2);
            for (DiffusionDecoder decoder : decoders) {
                try (decoder) {
                    decoder.initialize(ToyData.spec(2, 3), Device.cpu(), 1);
                    decoder.resetToIdentity();
                    assertThat(decoder.decode(obs, eps).toFloatArray()).as("%s", decoder.config())
                            .isEqualTo(eps.toFloatArray());
                }
            }
        }
    }

    @Test
    void builder_rejectsAGridThatIsNotAStrideOfTheTrainingTimesteps() {
        assertThatThrownBy(() -> DiffusionDecoder.builder().trainingTimesteps(95).steps(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainingTimesteps=95")
                .hasMessageContaining("steps=10");
        assertThatThrownBy(() -> DiffusionDecoder.builder().trainingTimesteps(5).steps(10).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainingTimesteps=5");
        assertThatThrownBy(() -> DiffusionDecoder.builder().eta(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eta").hasMessageContaining("1.5");
        assertThatThrownBy(() -> DiffusionDecoder.builder().trainingTimesteps(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainingTimesteps");
        assertThatThrownBy(() -> DiffusionDecoder.builder().schedule(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule");
    }

    @Test
    void load_withAnotherSamplingGrid_failsNamingBoth(@TempDir Path dir) throws IOException {
        try (DiffusionDecoder saved = DiffusionDecoder.builder().hiddenLayers(16).build()) {
            saved.initialize(ToyData.spec(2, 1), Device.cpu(), 1);
            saved.save(dir);
        }
        try (DiffusionDecoder other = DiffusionDecoder.builder().hiddenLayers(16).trainingTimesteps(200).build()) {
            other.initialize(ToyData.spec(2, 1), Device.cpu(), 1);
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("trainingTimesteps 100 in the file, 200 in this decoder");
        }
    }

    @Test
    void referenceParameterization_zeroNetworkDecodesToTheLatentExactly() {
        // The authors' epsilon-delta step is x + B_t * (0.25 * net): a zero output layer adds exact zeros.
        try (DiffusionDecoder decoder = DiffusionDecoder.builder().hiddenLayers(16, 16).referenceParameterization()
                .build(); NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(ToyData.spec(3, 2), Device.cpu(), 4);
            decoder.resetToIdentity();
            NDArray obs = ToyData.normal(manager, 32, 3, 10, 1);
            NDArray eps = ToyData.normal(manager, 32, 2, 2, 2);
            assertThat(decoder.decode(obs, eps).toFloatArray()).containsExactly(eps.toFloatArray());
            assertThat(decoder.steps()).isEqualTo(10);
            assertThat(decoder.config()).containsEntry("schedule", "LINEAR_ALPHA_BAR")
                    .containsEntry("trainingTimesteps", 10).containsEntry("outputScale", 0.25)
                    .containsEntry("timeFrequencies", "POWERS_OF_TWO").containsEntry("pairwiseLossWeight", 1e-3);
            assertThat((String) decoder.config().get("parameterization")).startsWith("epsilon-delta");
        }
    }

    @Test
    void referenceParameterization_learnsAndRefusesFilesOfTheDefaultParameterization(@TempDir Path dir)
            throws IOException {
        try (DiffusionDecoder reference = DiffusionDecoder.builder().hiddenLayers(16, 16)
                .referenceParameterization().build();
            DiffusionDecoder plain = DiffusionDecoder.builder().hiddenLayers(16, 16).steps(10)
                    .trainingTimesteps(10).build()) {
            reference.initialize(ToyData.spec(1, 1), Device.cpu(), 5);
            plain.initialize(ToyData.spec(1, 1), Device.cpu(), 5);
            FitResult fit = reference.fit(ToyData.linear(400, 6),
                    FitOptions.builder().trainSteps(60).validationInterval(20).batchSize(64).samplesPerAction(2)
                            .learningRate(1e-2).build(), null);
            assertThat(fit.bestValidationLoss()).isLessThan(1.0);
            reference.save(dir);
            assertThatThrownBy(() -> plain.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("schedule").hasMessageContaining("parameterization")
                    .hasMessageContaining("timeFrequencies").hasMessageContaining("outputScale 0.25 in the file");
        }
    }
}
