package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.Stage;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paper preset carries the reference's values (docs/fidelity.md), per method and task, into run.json. */
class PaperPresetTest {

    @Test
    void runJson_carriesTheReferencesValues(@TempDir Path dir) throws Exception {
        PaperPreset paper = PaperPreset.of("cheetahrun").envs(64).scale(0.01);
        // The preset's networks on a cheap env: only the recorded configuration is checked.
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
                GoRL agent = paper.builder().env(env).evalEnv(eval).runDirectory(dir.resolve("run")).build()) {
            JsonNode run = Checkpoints.JSON.readTree(Files.readAllBytes(dir.resolve("run/run.json")));
            JsonNode ppo = run.path("optimizer");
            assertThat(ppo.path("actorLayers").asText()).isEqualTo("32,32,32,32");
            assertThat(ppo.path("criticLayers").asText()).isEqualTo("256,256,256,256,256");
            assertThat(ppo.path("batchSize").asInt()).isEqualTo(32); // 64 envs x 16 sequences / 32 minibatches
            assertThat(ppo.path("minibatches").asInt()).isEqualTo(32);
            assertThat(ppo.path("unrollLength").asInt()).isEqualTo(30);
            assertThat(ppo.path("epochs").asInt()).isEqualTo(16);
            assertThat(ppo.path("learningRate").asDouble()).isEqualTo(1e-3);
            assertThat(ppo.path("gamma").asDouble()).isEqualTo(0.995);
            assertThat(ppo.path("gaeLambda").asDouble()).isEqualTo(0.95);
            assertThat(ppo.path("rewardScaling").asDouble()).isEqualTo(10);
            assertThat(ppo.path("entropyCoefficient").asDouble()).isEqualTo(0.01);
            assertThat(ppo.path("valueLossCoefficient").asDouble()).isEqualTo(0.25);
            assertThat(ppo.path("klMode").asText()).isEqualTo("SQUARED_MOMENTS");
            assertThat(ppo.path("maxStd").asDouble()).isEqualTo(10);
            JsonNode decoder = run.path("decoder");
            assertThat(decoder.path("name").asText()).isEqualTo("flow");
            assertThat(decoder.toString()).contains("128").contains("POWERS_OF_TWO");
            JsonNode trainer = run.path("trainer");
            assertThat(trainer.path("actionSquashing").asText()).isEqualTo("TANH");
            assertThat(trainer.path("evalEpisodes").asInt()).isEqualTo(2); // the eval env's count; the preset says 128
            assertThat(trainer.path("decoderEpisodes").asInt()).isEqualTo(41);
            assertThat(trainer.path("decoderTrainSteps").asInt()).isEqualTo(500);
            assertThat(trainer.path("decoderValidationInterval").asInt()).isEqualTo(100);
            assertThat(trainer.path("decoderBatchSize").asInt()).isEqualTo(8192);
            assertThat(trainer.path("decoderLearningRate").asDouble()).isEqualTo(3e-4);
            assertThat(trainer.path("decoderSamplesPerAction").asInt()).isEqualTo(8);
            assertThat(trainer.path("decoderValidationFraction").asDouble()).isEqualTo(0.1);
            assertThat(trainer.path("decoderPatience").asInt()).isZero();
            assertThat(trainer.path("decoderDataFrom").asText()).isEqualTo("best");
            assertThat(trainer.path("decoderInit").asText()).isEqualTo("fresh");
            assertThat(trainer.path("decoderTargetClip").asDouble()).isEqualTo(3.0);
            assertThat(trainer.path("decoderSplit").asText()).isEqualTo("episode");
            JsonNode stages = run.path("schedule").path("stages");
            assertThat(stages).hasSize(4);
            assertThat(stages.get(0).path("clip").asDouble()).isEqualTo(0.15);
            assertThat(stages.get(0).path("klBeta").asDouble()).isEqualTo(5e-4);
            assertThat(stages.get(1).path("clip").asDouble()).isEqualTo(0.3);
            assertThat(stages.get(1).path("klBeta").asDouble()).isEqualTo(1e-3);
            for (JsonNode s : stages) {
                assertThat(s.path("gradNormClip").asDouble()).isEqualTo(0.5);
                assertThat(s.path("encoderInit").asText()).isEqualTo("FRESH");
                assertThat(s.path("encoderSteps").asLong() % paper.iterationSteps()).isZero();
            }
        }
        assertThat(paper.targetReturn()).isEqualTo(900);
        assertThat(paper.evalEpisodes()).isEqualTo(128);
        assertThat(paper.stageSteps()).containsExactly(583_680, 583_680, 276_480, 276_480);
    }

    @Test
    void atScaleOne_onTheReferencesEnvCount_itIsThePapersShape() {
        PaperPreset paper = PaperPreset.of("CheetahRun").envs(2048);
        assertThat(paper.iterationSteps()).isEqualTo(983_040);
        assertThat(paper.ppo().build().config()).containsEntry("batchSize", 1024);
        // floor(60M / 983,040) = 61 iterations, floor(30M / 983,040) = 30, as the reference's update count.
        assertThat(paper.stageSteps()).containsExactly(61 * 983_040L, 61 * 983_040L, 30 * 983_040L, 30 * 983_040L);
        assertThat(paper.refitEpisodes()).isEqualTo(4096);
        assertThat(paper.refitSteps()).isEqualTo(50_000);
    }

    @Test
    void perMethodAndTask_theReferencesOverrides() {
        List<Stage> diffusion = PaperPreset.of("CheetahRun").method(PaperPreset.Method.DIFFUSION).schedule().stages();
        assertThat(diffusion).extracting(Stage::clip).containsOnly(0.15);
        assertThat(diffusion).extracting(Stage::learningRate).containsExactly(1e-3, 3e-4, 1e-4, 1e-4);
        assertThat(diffusion).extracting(Stage::encoderInit).containsExactly(EncoderInit.FRESH,
                EncoderInit.WARM_START, EncoderInit.WARM_START, EncoderInit.WARM_START);
        assertThat(PaperPreset.of("HopperStand").method(PaperPreset.Method.DIFFUSION).schedule().stages())
                .extracting(Stage::encoderInit).containsExactly(EncoderInit.FRESH, EncoderInit.FRESH,
                        EncoderInit.WARM_START, EncoderInit.WARM_START);
        assertThat(PaperPreset.of("FishSwim").method(PaperPreset.Method.DIFFUSION).schedule().stages().get(3)
                .entropyCoefficient()).isEqualTo(0.005);

        List<Stage> walker = PaperPreset.of("WalkerWalk").schedule().stages();
        assertThat(walker.get(0).encoderInit()).isEqualTo(EncoderInit.FRESH);
        assertThat(walker.subList(1, 4)).extracting(Stage::encoderInit).containsOnly(EncoderInit.PRIOR_WARM_VALUE);
        assertThat(walker.subList(1, 4)).extracting(Stage::klBeta).containsOnly(3e-3);
        assertThat(walker.subList(1, 4)).extracting(Stage::gradNormClip).containsOnly(1.0);
        assertThat(walker.get(3).learningRate()).isEqualTo(3e-4);
        List<Stage> finger = PaperPreset.of("FingerTurnHard").schedule().stages();
        assertThat(finger.get(3).klBeta()).isEqualTo(0.01);
        assertThat(finger.get(1).gradNormClip()).isEqualTo(1.0);

        PaperPreset spin = PaperPreset.of("FingerSpin");
        assertThat(spin.ppo().build().config()).containsEntry("gamma", 0.95);
        assertThat(spin.method(PaperPreset.Method.GAUSSIAN_PPO).ppo().build().config()).containsEntry("gamma", 0.95);
        assertThat(spin.decoderRefit().fitOptions(1, 0).selection()).isEqualTo(FitOptions.Selection.ENDPOINT_MSE);
        assertThat(PaperPreset.of("HopperStand").decoderRefit().targetClip()).isNaN();
        assertThat(PaperPreset.of("HopperStand").method(PaperPreset.Method.DIFFUSION).decoderRefit().targetClip())
                .isEqualTo(3.0);

        PaperPreset ppo = PaperPreset.of("WalkerWalk").method(PaperPreset.Method.GAUSSIAN_PPO).envs(2048);
        assertThat(ppo.schedule().stages()).singleElement().satisfies(s -> {
            assertThat(s.clip()).isEqualTo(0.1);
            assertThat(s.learningRate()).isEqualTo(3e-4);
            assertThat(s.klBeta()).isZero();
            assertThat(s.encoderSteps()).isEqualTo(183 * 983_040L); // one 180M stage, whole iterations
        });
        assertThat(ppo.ppo().build().config()).containsEntry("tanhEntropyCorrection", true);
    }

    @Test
    void humanoid_theReferencesHumanoidProfile(@TempDir Path dir) throws Exception {
        PaperPreset stand = PaperPreset.of("humanoidstand").envs(2048);
        assertThat(stand.task()).isEqualTo("HumanoidStand");
        assertThat(stand.targetReturn()).isEqualTo(900);
        assertThat(stand.stageSteps()).containsExactly(61 * 983_040L, 61 * 983_040L, 30 * 983_040L, 30 * 983_040L);
        assertThat(stand.refitEpisodes()).isEqualTo(1024);
        assertThat(stand.actionSquashing()).isEqualTo(ActionSquashing.CLIP);
        assertThat(stand.stochasticEvaluation()).isTrue();
        assertThat(stand.boundedLatent()).as("bounded_latent = true").isTrue();
        assertThat(stand.ppo().build().config()).containsEntry("tanhEntropyCorrection", true);
        assertThat(stand.describe()).containsKey("latent");
        List<Stage> stages = stand.schedule().stages();
        assertThat(stages).extracting(Stage::clip).containsOnly(0.3);
        assertThat(stages).extracting(Stage::learningRate).containsExactly(1e-3, 3e-4, 3e-4, 3e-4);
        assertThat(stages).as("Brax PPO: no latent regularizer").extracting(Stage::klBeta).containsOnly(0.0);
        assertThat(PaperPreset.of("CheetahRun").schedule().stages()).extracting(Stage::klBeta)
                .containsExactly(5e-4, 1e-3, 1e-3, 1e-3);
        DecoderRefit refit = stand.decoderRefit();
        assertThat(refit.targetClip()).isEqualTo(1.0);
        assertThat(refit.fitOptions(1, 0).splitByEpisode()).isFalse();

        PaperPreset run = PaperPreset.of("HumanoidRun").envs(2048);
        assertThat(run.targetReturn()).isEqualTo(300);
        assertThat(run.boundedLatent()).isTrue();
        assertThat(run.stageSteps()).containsExactly(61 * 983_040L, 61 * 983_040L);
        assertThat(run.schedule().stages()).extracting(Stage::learningRate).containsOnly(1e-3);

        // the six keep tanh and deterministic evaluation
        assertThat(PaperPreset.of("CheetahRun").actionSquashing()).isEqualTo(ActionSquashing.TANH);
        assertThat(PaperPreset.of("CheetahRun").stochasticEvaluation()).isFalse();
        assertThat(PaperPreset.of("CheetahRun").boundedLatent()).isFalse();
        assertThat(PaperPreset.of("CheetahRun").ppo().build().config()).doesNotContainKey("tanhEntropyCorrection");

        assertThatThrownBy(() -> stand.method(PaperPreset.Method.DIFFUSION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HumanoidStand")
                .hasMessageContaining("DIFFUSION");
        assertThatThrownBy(() -> PaperPreset.of("HumanoidWalk")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HumanoidWalk").hasMessageContaining("HumanoidStand, HumanoidRun");

        // run.json records the bounded actions, the decoder width and the stochastic evaluation
        PaperPreset small = stand.envs(64).scale(0.01);
        try (VectorEnv env = Envs.sync(i -> new Pendulum(), 2); VectorEnv eval = Envs.sync(i -> new Pendulum(), 2);
                GoRL agent = small.builder().env(env).evalEnv(eval).runDirectory(dir.resolve("run")).build()) {
            JsonNode json = Checkpoints.JSON.readTree(Files.readAllBytes(dir.resolve("run/run.json")));
            JsonNode trainer = json.path("trainer");
            assertThat(trainer.path("actionSquashing").asText()).isEqualTo("CLIP");
            assertThat(trainer.path("stochasticEvaluation").asBoolean()).isTrue();
            assertThat(trainer.path("boundedLatent").asBoolean()).isTrue();
            assertThat(trainer.path("decoderEpisodes").asInt()).isEqualTo(10);
            assertThat(trainer.path("decoderTargetClip").asDouble()).isEqualTo(1.0);
            assertThat(json.path("decoder").toString()).contains("128");
        }
    }

    @Test
    void badArguments_areRefusedNamingTheValue() {
        assertThatThrownBy(() -> PaperPreset.of("Pendulum")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Pendulum").hasMessageContaining("CheetahRun");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").scale(0)).hasMessageContaining("scale");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").scale(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").envs(3)).hasMessageContaining("3");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").refitSamplesPerAction(0))
                .hasMessageContaining("refit samples per action").hasMessageContaining("0");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").method(PaperPreset.Method.GAUSSIAN_PPO)
                .refitSamplesPerAction(1)).hasMessageContaining("Gaussian PPO has no decoder refit");
        assertThatThrownBy(() -> PaperPreset.of("CheetahRun").method(PaperPreset.Method.GAUSSIAN_PPO)
                .laterEncoderInit(EncoderInit.PRIOR)).hasMessageContaining("Gaussian PPO has one stage");
    }

    @Test
    void refitSamples_changeOnlyTheDrawsPerAction_andSurviveOtherSettings() {
        PaperPreset paper = PaperPreset.of("CheetahRun").scale(0.056);
        assertThat(paper.refitSamplesPerAction()).isEqualTo(8);
        assertThat(paper.decoderRefit().rowsPerStep()).isEqualTo(65_536);
        assertThat(paper.describe()).doesNotContainKey("refitSamples");
        // Set first, then the other settings: each wither keeps it.
        PaperPreset cheap = PaperPreset.of("CheetahRun").refitSamplesPerAction(1).method(PaperPreset.Method.FLOW)
                .scale(0.056).envs(64);
        assertThat(cheap.refitSamplesPerAction()).isEqualTo(1);
        assertThat(cheap.decoderRefit().rowsPerStep()).isEqualTo(8192);
        assertThat(cheap.decoderRefit().toMap()).containsEntry("decoderBatchSize", 8192)
                .containsEntry("decoderSamplesPerAction", 1);
        assertThat(cheap.refitSteps()).isEqualTo(paper.refitSteps());
        assertThat(cheap.refitEpisodes()).isEqualTo(paper.refitEpisodes());
        assertThat(cheap.describe()).containsEntry("refitSamples", "1 per action (paper: 8)");

        PaperPreset longer = cheap.refitSteps(11_200).scale(0.1);
        assertThat(longer.refitSteps()).isEqualTo(11_200); // set by hand: no longer scaled
        assertThat(longer.refitSamplesPerAction()).isEqualTo(1);
        assertThat(longer.decoderRefit().toMap()).containsEntry("decoderTrainSteps", 11_200);
        assertThatThrownBy(() -> paper.method(PaperPreset.Method.DIFFUSION).refitSteps(5000))
                .hasMessageContaining("flow matching").hasMessageContaining("5000");
        assertThatThrownBy(() -> paper.refitSteps(99)).hasMessageContaining("99");
    }

    @Test
    void laterEncoderInit_replacesTheReferencesChoiceAfterTheFirstStage_only() {
        PaperPreset walker = PaperPreset.of("WalkerWalk").scale(0.01);
        assertThat(walker.schedule().stage(1).encoderInit()).isEqualTo(EncoderInit.PRIOR_WARM_VALUE);
        PaperPreset fresh = walker.laterEncoderInit(EncoderInit.FRESH).envs(64).refitSamplesPerAction(2);
        assertThat(fresh.schedule().stage(0).encoderInit()).isEqualTo(EncoderInit.FRESH);
        for (int k = 1; k < fresh.schedule().size(); k++) {
            assertThat(fresh.schedule().stage(k).encoderInit()).isEqualTo(EncoderInit.FRESH);
            // Everything else of the stage stays the reference's.
            assertThat(fresh.schedule().stage(k).withEncoderInit(EncoderInit.PRIOR_WARM_VALUE))
                    .isEqualTo(walker.schedule().stage(k));
        }
        assertThat(fresh.describe()).containsEntry("laterEncoderInit", "FRESH (paper: PRIOR_WARM_VALUE)");
        assertThat(PaperPreset.of("CheetahRun").describe()).doesNotContainKey("laterEncoderInit");
    }
}
