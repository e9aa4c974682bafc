package io.github.gorl.decoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityDecoderTest {

    private static IdentityDecoder initialized(int obsDim, int actDim) {
        IdentityDecoder decoder = IdentityDecoder.create();
        decoder.initialize(ToyData.spec(obsDim, actDim), Device.cpu(), 3);
        return decoder;
    }

    @Test
    void decode_returnsLatentExactlyAsACopyOnTheObservationManager() {
        try (IdentityDecoder decoder = initialized(4, 3);
                NDManager manager = NDManager.newBaseManager();
                NDManager callerScope = manager.newSubManager()) {
            decoder.resetToIdentity();
            NDArray obs = ToyData.normal(callerScope, 33, 4, 10, 1);
            NDArray eps = ToyData.normal(manager, 33, 3, 1, 2);
            NDArray decoded = decoder.decode(obs, eps);
            assertThat(decoded.toFloatArray()).isEqualTo(eps.toFloatArray());
            assertThat(decoded).isNotSameAs(eps);
            assertThat(decoded.getManager()).isSameAs(callerScope);
        }
    }

    @Test
    void fit_isANoOpWithZeroEpochs() {
        try (IdentityDecoder decoder = initialized(2, 1)) {
            boolean[] called = {false};
            FitResult result = decoder.fit(ToyData.uniform(10, 2, 1, 1), FitOptions.defaults(50),
                    new TrainingListener() {
                        @Override
                        public void onMetrics(Metrics metrics) {
                            called[0] = true;
                        }
                    });
            assertThat(result.epochs()).isZero();
            assertThat(result.stoppedEarly()).isFalse();
            assertThat(called[0]).isFalse();
            assertThat(decoder.name()).isEqualTo("identity");
        }
    }

    @Test
    void sample_drawsStandardNormalActions() {
        try (IdentityDecoder decoder = initialized(2, 2);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray samples = decoder.sample(manager.zeros(new Shape(5, 2)), 2000);
            assertThat(samples.getShape()).isEqualTo(new Shape(5, 2000, 2));
            float[] values = samples.toFloatArray();
            double mean = 0;
            double square = 0;
            for (float v : values) {
                mean += v;
                square += v * v;
            }
            assertThat(mean / values.length).isBetween(-0.05, 0.05);
            assertThat(square / values.length).isBetween(0.95, 1.05);
        }
    }

    @Test
    void wrongShapesAndMissingInitialize_areRejected() {
        try (IdentityDecoder decoder = IdentityDecoder.create();
                NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(1, 2)), manager.zeros(new Shape(1, 1))))
                    .isInstanceOf(IllegalStateException.class);
            decoder.initialize(ToyData.spec(2, 1), Device.cpu(), 1);
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(3, 2)), manager.zeros(new Shape(3, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3, 1)")
                    .hasMessageContaining("(3, 2)");
        }
    }

    @Test
    void load_checksTheSizes(@TempDir Path dir) throws IOException {
        try (IdentityDecoder decoder = initialized(2, 1)) {
            decoder.save(dir);
            decoder.load(dir);
        }
        try (IdentityDecoder other = initialized(3, 1)) {
            assertThatThrownBy(() -> other.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("observationDim 2").hasMessageContaining("3 and 1 in this decoder");
        }
    }
}
