package io.github.gorl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void envSpec_copiesBoundsAndComparesByValue() {
        float[] low = {-1, -2};
        EnvSpec spec = new EnvSpec("T", 3, 2, low, new float[] {1, 2}, 100);
        low[0] = 42;
        assertThat(spec.actionLow()).containsExactly(-1, -2);
        spec.actionLow()[1] = 9;
        assertThat(spec.actionLow()).containsExactly(-1, -2);
        assertThat(spec).isEqualTo(new EnvSpec("T", 3, 2, new float[] {-1, -2}, new float[] {1, 2}, 100));
        assertThat(spec).isNotEqualTo(EnvSpec.symmetric("T", 3, 2, 1, 100));
        assertThat(spec.hashCode()).isEqualTo(
                new EnvSpec("T", 3, 2, new float[] {-1, -2}, new float[] {1, 2}, 100).hashCode());
        assertThat(spec.boundedActions()).isTrue();
    }

    @Test
    void envSpec_rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> new EnvSpec("T", 0, 1, new float[] {-1}, new float[] {1}, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("observationDim must be > 0, got 0");
        assertThatThrownBy(() -> new EnvSpec("T", 2, 2, new float[] {-1}, new float[] {1, 1}, 10))
                .hasMessage("actionLow must have length 2, got 1");
        assertThatThrownBy(() -> new EnvSpec("T", 2, 1, new float[] {1}, new float[] {-1}, 10))
                .hasMessageContaining("low <= high").hasMessageContaining("[1.0, -1.0]");
        assertThatThrownBy(() -> EnvSpec.symmetric("T", 2, 1, 1, -3)).hasMessageContaining("maxEpisodeSteps")
                .hasMessageContaining("-3");
    }

    @Test
    void latentSpec_isUnboundedWithSameObservations() {
        EnvSpec latent = EnvSpec.symmetric("Cheetah", 17, 6, 1, 1000).latent(6);
        assertThat(latent.observationDim()).isEqualTo(17);
        assertThat(latent.actionDim()).isEqualTo(6);
        assertThat(latent.boundedActions()).isFalse();
        assertThat(latent.actionLow()).containsOnly(Float.NEGATIVE_INFINITY);
    }

    @Test
    void decoderDataset_checksRowsAndFiniteness() {
        DecoderDataset d = DecoderDataset.of(2, 1, new float[] {1, 2, 3, 4}, new float[] {5, 6});
        assertThat(d.size()).isEqualTo(2);
        assertThatThrownBy(() -> DecoderDataset.of(2, 1, new float[] {1, 2, 3, 4}, new float[] {5}))
                .hasMessageContaining("same number of rows");
        assertThatThrownBy(() -> DecoderDataset.of(2, 1, new float[] {1, Float.NaN}, new float[] {5}))
                .hasMessage("observations[1] must be finite, got NaN");
        assertThatThrownBy(() -> DecoderDataset.of(2, 1, new float[0], new float[0]))
                .hasMessageContaining("at least one pair");
    }

    @Test
    void fitOptions_defaultsAreThePapersAndValidate() {
        FitOptions o = FitOptions.defaults(50);
        assertThat(o.learningRate()).isEqualTo(3e-4);
        assertThat(o.batchSize()).isEqualTo(8192);
        assertThat(o.samplesPerAction()).isEqualTo(8);
        assertThatThrownBy(() -> FitOptions.defaults(0)).hasMessage("epochs must be > 0, got 0");
        assertThatThrownBy(() -> o.withLearningRate(Double.NaN)).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> new FitOptions(1, 1e-3, 8, 1, 0.9, 1, 0))
                .hasMessageContaining("validationFraction").hasMessageContaining("0.9");
    }

    @Test
    void metrics_areImmutableAndRelocatable() {
        Metrics m = Metrics.of(10, Phase.ENCODER, Map.of("loss", 1.5));
        assertThat(m.stage()).isEqualTo(-1);
        Metrics moved = m.at(110, 2);
        assertThat(moved.step()).isEqualTo(110);
        assertThat(moved.get("loss")).isEqualTo(1.5);
        assertThat(moved.get("absent")).isNaN();
        assertThatThrownBy(() -> m.values().put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void validate_messagesNameFieldValueAndExpectation() {
        assertThatThrownBy(() -> Validate.positive("steps", -1L)).hasMessage("steps must be > 0, got -1");
        assertThatThrownBy(() -> Validate.inRange("tau", 2.0, 0, 1)).hasMessage("tau must be in [0.0, 1.0], got 2.0");
        assertThatThrownBy(() -> Validate.finite("obs", new float[] {0, Float.POSITIVE_INFINITY}))
                .hasMessage("obs[1] must be finite, got Infinity");
        assertThatThrownBy(() -> Validate.notNull("env", null)).hasMessage("env must not be null");
    }

    @Test
    void listenersAll_forwardsInOrder() {
        StringBuilder log = new StringBuilder();
        TrainingListener a = new TrainingListener() {
            @Override
            public void onEvaluation(Evaluation e) {
                log.append("a");
            }
        };
        TrainingListener b = new TrainingListener() {
            @Override
            public void onEvaluation(Evaluation e) {
                log.append("b");
            }
        };
        TrainingListener.all(List.of(a, b)).onEvaluation(new Evaluation(0, 0, 1, 0, 1));
        assertThat(log).hasToString("ab");
    }
}
