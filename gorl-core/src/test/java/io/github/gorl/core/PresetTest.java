package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresetTest {

    @Test
    void cpu_pendulum_isTheCommandLinesPpoSetup() {
        Preset preset = Preset.cpu("pendulum");
        assertThat(preset.steps()).isEqualTo(300_000);
        assertThat(preset.envs()).isEqualTo(16);
        Map<String, Object> ppo = preset.ppo().build().config();
        assertThat(ppo).containsEntry("criticLayers", "64,64").containsEntry("unrollLength", 64)
                .containsEntry("minibatches", 8).containsEntry("epochs", 8).containsEntry("rewardScaling", 0.1)
                .containsEntry("gamma", 0.99).containsEntry("resetCriticOnStage", false);
        assertThat(preset.schedule().stages()).extracting(Stage::decoderEpochs).containsExactly(0, 30, 30, 30);
        assertThat(preset.schedule().totalEncoderSteps()).isEqualTo(300_000);
        assertThat(preset.schedule().stages()).extracting(Stage::klBeta).containsOnly(0.01);
        assertThat(preset.schedule(20_000).totalEncoderSteps()).isEqualTo(20_000);
        assertThat(preset.schedule(20_000).stages()).extracting(Stage::klBeta).containsOnly(0.01);
        assertThat(preset.decoderRefit().dataSize()).isEqualTo(40_000);
        assertThat(preset.decoderRefit().toMap()).containsEntry("decoderLearningRate", 1e-3);
    }

    @Test
    void cpu_dmControlTask_isTheMeasuredCheetahRunPreset() {
        Preset preset = Preset.cpu("CheetahRun");
        assertThat(preset.steps()).isEqualTo(3_000_000);
        assertThat(preset.ppo().build().config()).containsEntry("rewardScaling", 10.0).containsEntry("gamma", 0.995)
                .containsEntry("resetCriticOnStage", true);
        assertThat(preset.klBeta()).hasValue(0.01);
        assertThat(preset.gaussianKlBeta()).isEqualTo(0.01);
        assertThat(Preset.cpu("Pendulum").gaussianKlBeta()).isZero();
        assertThat(preset.decoderRefit().toMap()).containsEntry("decoderLearningRate", 1e-3)
                .containsEntry("decoderMinUpdates", 600).containsEntry("decoderDataFrom", "best");
        // Every stage takes the Gaussian baseline's clips; later stages keep the critic.
        assertThat(preset.schedule().stages()).extracting(Stage::clip).containsOnly(0.3);
        assertThat(preset.schedule().stages()).extracting(Stage::gradNormClip).containsOnly(1.0);
        assertThat(preset.schedule().stages()).extracting(Stage::klBeta).containsOnly(0.01);
        assertThat(preset.schedule().stages()).extracting(Stage::encoderInit).containsExactly(EncoderInit.PRIOR,
                EncoderInit.PRIOR_WARM_VALUE, EncoderInit.PRIOR_WARM_VALUE, EncoderInit.PRIOR_WARM_VALUE);
        assertThat(preset.schedule().stages()).extracting(Stage::decoderEpochs).containsExactly(0, 20, 20, 20);
        assertThat(preset.schedule().totalEncoderSteps()).isEqualTo(3_000_000);
        // tune() gives any schedule the same settings.
        assertThat(preset.tune(StageSchedule.of(1_000, 2_000)).stages()).extracting(Stage::encoderInit)
                .containsExactly(EncoderInit.PRIOR, EncoderInit.PRIOR_WARM_VALUE);
        assertThat(Preset.cpuSac("CheetahRun").steps()).isEqualTo(200_000);
        assertThat(Preset.cpu("BimodalBandit").unrollLength()).isEqualTo(4);
    }

    @Test
    void cpu_pureJavaTasks_keepThePapersStageKnobs() {
        for (String task : new String[] {"Pendulum", "BimodalBandit"}) {
            Preset preset = Preset.cpu(task);
            assertThat(preset.schedule().stage(0).clip()).as(task).isEqualTo(0.15);
            assertThat(preset.schedule().stage(1).clip()).as(task).isEqualTo(0.3);
            assertThat(preset.schedule().stages()).extracting(Stage::encoderInit).as(task)
                    .containsOnly(EncoderInit.PRIOR);
            assertThat(preset.decoderRefit().collectFromBest()).as(task).isFalse();
        }
        assertThat(Preset.cpu("BimodalBandit").klBeta()).isEmpty();
        assertThat(Preset.cpu("BimodalBandit").decoderLearningRate()).isEqualTo(3e-4);
    }

    @Test
    void withSteps_shrinksTheRefitsOfAShorterRunInProportion() {
        Preset full = Preset.cpu("Pendulum");
        assertThat(full.decoderMinUpdates()).isEqualTo(2_000);
        assertThat(full.decoderRefit().toMap()).containsEntry("decoderMinUpdates", 2_000);
        assertThat(full.withSteps(300_000)).isEqualTo(full);

        Preset short20k = full.withSteps(20_000);
        assertThat(short20k.steps()).isEqualTo(20_000);
        assertThat(short20k.decoderMinUpdates()).isEqualTo(133); // 2,000 x 20k / 300k
        assertThat(short20k.decoderEpochs()).isEqualTo(2); // 30 x 20k / 300k
        assertThat(short20k.decoderData()).isEqualTo(10_328); // 40,000 x sqrt(20k / 300k)
        assertThat(short20k.decoderRefit().dataSize()).isEqualTo(10_328);
        assertThat(short20k.decoderRefit().toMap()).containsEntry("decoderMinUpdates", 133);
        assertThat(short20k.schedule().stages()).extracting(Stage::decoderEpochs).containsExactly(0, 2, 2, 2);
        assertThat(full.withSteps(75_000).decoderData()).isEqualTo(20_000);
        Preset tiny = full.withSteps(10);
        assertThat(tiny.decoderMinUpdates()).isEqualTo(1);
        assertThat(tiny.decoderEpochs()).isEqualTo(1);
        assertThat(tiny.decoderData()).isEqualTo(4_096); // four batches of 1,024

        Preset longer = full.withSteps(1_000_000);
        assertThat(longer.steps()).isEqualTo(1_000_000);
        assertThat(longer.decoderData()).isEqualTo(40_000);
        assertThat(longer.decoderMinUpdates()).isEqualTo(2_000);

        // A longer DMControl run raises the CPU preset's floor of 600 with its budget, up to 2,000.
        Preset cheetah = Preset.cpu("CheetahRun");
        assertThat(cheetah.withSteps(3_000_000).decoderMinUpdates()).isEqualTo(600);
        assertThat(cheetah.withSteps(6_000_000).decoderMinUpdates()).isEqualTo(1_200);
        assertThat(cheetah.withSteps(10_000_000).decoderMinUpdates()).isEqualTo(2_000);
        assertThat(cheetah.withSteps(15_000_000).decoderRefit().toMap()).containsEntry("decoderMinUpdates", 2_000);
        assertThat(cheetah.withSteps(15_000_000).decoderData()).isEqualTo(100_000);

        Preset noFloor = new Preset("Pendulum", 1_000, 4, 3, 8_192, 1_024, 0);
        assertThat(noFloor.withSteps(5_000).decoderMinUpdates()).isZero();
        assertThat(noFloor.withSteps(500).decoderMinUpdates()).isZero();
        assertThatThrownBy(() -> full.withSteps(0)).hasMessageContaining("totalSteps");
        assertThatThrownBy(() -> new Preset("x", 1, 1, 1, 1, 1, -1)).hasMessageContaining("decoderMinUpdates");
    }

    @Test
    void builders_areFreshEachCall() {
        Preset preset = Preset.cpu("Pendulum");
        preset.ppo().learningRate(1e-2);
        assertThat(preset.ppo().build().config()).containsEntry("learningRate", 1e-3);
        assertThatThrownBy(() -> new Preset("x", 0, 1, 1, 1, 1)).hasMessageContaining("steps");
    }
}
