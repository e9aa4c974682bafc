package io.github.gorl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The fixed-step refit options and the dataset's episode and encoder-latent columns. */
class DecoderRefitOptionsTest {

    @Test
    void builder_startsFromTheEpochModeDefaultsAndSetsTheStepMode() {
        FitOptions epochs = FitOptions.builder().build();
        assertThat(epochs.stepMode()).isFalse();
        assertThat(epochs.validationInterval()).isEqualTo(100);
        assertThat(epochs.selection()).isEqualTo(FitOptions.Selection.VALIDATION_LOSS);
        assertThat(epochs).isEqualTo(FitOptions.defaults(50));

        FitOptions steps = FitOptions.builder().trainSteps(50_000).splitByEpisode(true).patience(0)
                .selection(FitOptions.Selection.ENDPOINT_MSE).build();
        assertThat(steps.stepMode()).isTrue();
        assertThat(steps.trainSteps()).isEqualTo(50_000);
        assertThat(steps.patience()).isZero();
        assertThat(steps.splitByEpisode()).isTrue();
        assertThat(steps.withSeed(9).trainSteps()).isEqualTo(50_000);
        assertThat(steps.withBatchSize(16).selection()).isEqualTo(FitOptions.Selection.ENDPOINT_MSE);
        assertThat(steps.withTrainSteps(0).stepMode()).isFalse();
    }

    @Test
    void builder_namesTheInvalidField() {
        assertThatThrownBy(() -> FitOptions.builder().trainSteps(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainSteps").hasMessageContaining("-1");
        assertThatThrownBy(() -> FitOptions.builder().validationInterval(0).build())
                .hasMessageContaining("validationInterval");
        assertThatThrownBy(() -> FitOptions.builder().patience(-1).build()).hasMessageContaining("patience");
        assertThatThrownBy(() -> FitOptions.builder().selection(null).build()).hasMessageContaining("selection");
    }

    @Test
    void fitResult_shortConstructorReportsNoSteps() {
        FitResult r = new FitResult(3, 0.5, 0.6, 0.4, true);
        assertThat(r.steps()).isZero();
        assertThat(r.bestStep()).isEqualTo(-1);
        assertThat(r.selection()).isNull();
        assertThat(r.bestMetric()).isEqualTo(0.4);
    }

    @Test
    void dataset_episodesAndEncoderLatentsSurviveEveryCopy() {
        DecoderDataset d = DecoderDataset.of(1, 2, new float[] {1, 2}, new float[] {1, 2, 3, 4})
                .withEpisodes(new int[] {7, 3}).withEncoderLatents(new float[] {0.1f, 0.2f, 0.3f, 0.4f});
        assertThat(d.episodes()).containsExactly(7, 3);
        assertThat(d.encoderLatents()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
        assertThat(d.latents()).isNull();
        DecoderDataset withLatents = d.withLatents(new float[] {1, 1, 1, 1});
        assertThat(withLatents.episodes()).containsExactly(7, 3);
        assertThat(withLatents.encoderLatents()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
        DecoderDataset gaussian = withLatents.withGaussianSource(new float[4], new float[] {1, 1, 1, 1});
        assertThat(gaussian.episodes()).containsExactly(7, 3);
        assertThat(gaussian.encoderLatents()).hasSize(4);
        assertThat(gaussian.withEpisodes(new int[] {1, 1}).sourceStd()).hasSize(4);
    }

    @Test
    void dataset_checksEpisodeAndEncoderLatentLengthsAndFiniteness() {
        DecoderDataset d = DecoderDataset.of(1, 2, new float[] {1, 2}, new float[] {1, 2, 3, 4});
        assertThatThrownBy(() -> d.withEpisodes(new int[] {1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("episodeIds (length 1)");
        assertThatThrownBy(() -> d.withEncoderLatents(new float[3])).hasMessageContaining("encoder latents");
        assertThatThrownBy(() -> d.withEncoderLatents(new float[] {0, Float.NaN, 0, 0}))
                .hasMessageContaining("encoder latents[1] must be finite");
        assertThatThrownBy(() -> d.withEpisodes(null)).hasMessageContaining("episodeIds");
    }
}
