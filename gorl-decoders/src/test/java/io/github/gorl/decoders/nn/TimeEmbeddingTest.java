package io.github.gorl.decoders.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TimeEmbeddingTest {

    @Test
    void withoutPi_isTheAuthorsEmbeddingAtHalfTime() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] embedded = new TimeEmbedding(8, false)
                    .embed(manager.create(new float[] {0.5f}, new Shape(1, 1))).toFloatArray();
            // [cos(0.5), cos(1), cos(2), cos(4), sin(0.5), sin(1), sin(2), sin(4)]
            double[] expected = {0.8775826, 0.5403023, -0.4161468, -0.6536436, 0.4794255, 0.8414710, 0.9092974,
                -0.7568025};
            for (int k = 0; k < 8; k++) {
                assertThat((double) embedded[k]).as("component %d", k).isCloseTo(expected[k], within(1e-6));
            }
        }
    }

    @Test
    void withPi_isTheDefaultEmbeddingAtHalfTime() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] embedded = new TimeEmbedding(4).embed(manager.create(new float[] {0.5f}, new Shape(1, 1)))
                    .toFloatArray();
            // [cos(pi/2), cos(pi), sin(pi/2), sin(pi)]
            assertThat(embedded).containsExactly(new float[] {0f, -1f, 1f, 0f}, org.assertj.core.data.Offset.offset(1e-6f));
        }
    }
}
