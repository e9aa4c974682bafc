package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    }

    @Test
    void cpu_dmControlTask_keepsThePapersRewardScaleAndDiscount() {
        Preset preset = Preset.cpu("CheetahRun");
        assertThat(preset.ppo().build().config()).containsEntry("rewardScaling", 10.0).containsEntry("gamma", 0.995)
                .containsEntry("resetCriticOnStage", true);
        assertThat(preset.klBeta()).isEmpty();
        assertThat(preset.schedule()).isEqualTo(StageSchedule.scaled(1_000_000).decoderEpochs(20));
        assertThat(Preset.cpuSac("CheetahRun").steps()).isEqualTo(200_000);
        assertThat(Preset.cpu("BimodalBandit").unrollLength()).isEqualTo(4);
    }

    @Test
    void builders_areFreshEachCall() {
        Preset preset = Preset.cpu("Pendulum");
        preset.ppo().learningRate(1e-2);
        assertThat(preset.ppo().build().config()).containsEntry("learningRate", 1e-3);
        assertThatThrownBy(() -> new Preset("x", 0, 1, 1, 1, 1)).hasMessageContaining("steps");
    }
}
