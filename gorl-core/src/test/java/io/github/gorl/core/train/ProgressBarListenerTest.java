package io.github.gorl.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bar names what a refit is doing, so a long refit does not read as a hang. */
class ProgressBarListenerTest {

    @Test
    void aStepModeRefit_showsItsStepAndValidationLoss() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("step", 300.0, "train_loss", 1.25, "validation_loss", 1.5));
        assertThat(ProgressBarListener.decoderProgress(m)).isEqualTo(" step 300 loss 1.5000");
    }

    @Test
    void anEpochModeRefitWithoutValidation_showsItsEpochAndTrainingLoss() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("epoch", 7.0, "train_loss", 0.25));
        assertThat(ProgressBarListener.decoderProgress(m)).isEqualTo(" epoch 7 train loss 0.2500");
    }

    @Test
    void theRefitSummary_leavesTheLastProgressInPlace() {
        Metrics m = Metrics.of(0, Phase.DECODER, Map.of("decoder_epochs", 50.0, "decoder_data_size", 41_000.0));
        assertThat(ProgressBarListener.decoderProgress(m)).isEmpty();
    }
}
