package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.core.ReferenceFidelityTest.RecordingVectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.BimodalBandit;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference humanoid profile's bounded latent: every path that decodes an encoder latent decodes tanh(u). */
class BoundedLatentTest {

    /** The scripted encoder's latent u; the bandit accepts it unsquashed too, so a missing tanh shows as 0.8. */
    private static final float U = 0.8f;
    private static final float Z = (float) Math.tanh(U);

    private static RecordingVectorEnv bandits(int n) {
        return new RecordingVectorEnv(Envs.sync(i -> new BimodalBandit(), n));
    }

    private static GoRL.Builder twoStages(RecordingVectorEnv train, RecordingVectorEnv eval, ScriptedOptimizer optimizer,
            CapturingDecoder decoder, DecoderRefit refit) {
        return GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                .schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1), new Stage(2, 1, 0, 0.2, 1))))
                .decoderRefit(refit).actionSquashing(ActionSquashing.CLIP).evalEvery(100).boundedLatent(true);
    }

    @Test
    void trainingEvaluationCollectionAndPolicy_decodeTanhOfTheLatent_onlyWhenBounded() {
        for (boolean bounded : new boolean[] {true, false}) {
            float z = bounded ? Z : U;
            CapturingDecoder decoder = new CapturingDecoder();
            try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                    GoRL agent = twoStages(train, eval, scripted(), decoder,
                            DecoderRefit.builder().episodes(6).targetClip(1).build()).boundedLatent(bounded).build()) {
                agent.train();
                assertThat(train.actions).isNotEmpty();
                assertThat(train.allEqual(z)).as("training rollouts and refit collection, bounded=%s", bounded)
                        .isTrue();
                assertThat(eval.allEqual(z)).as("deterministic evaluation (tanh(mean)), bounded=%s", bounded).isTrue();
                DecoderDataset data = decoder.datasets.get(0);
                assertThat(data.size()).isEqualTo(6);
                assertAllCloseTo(data.actions(), z);
                assertAllCloseTo(data.encoderLatents(), z); // the latents the decoder received
                // The paper's source: the refit draws the prior N(0, I) itself, as the reference's decoder_loss does.
                assertThat(data.latents()).isNull();
                assertThat(data.sourceMean()).isNull();
                assertThat(agent.policy().act(new float[] {1f})[0]).isCloseTo(z, within(1e-6f));
            }
        }
    }

    @Test
    void encoderSource_learnsFromTanhOfTheEncodersLatent() {
        CapturingDecoder decoder = new CapturingDecoder();
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = twoStages(train, eval, scripted(), decoder, DecoderRefit.builder().dataSize(8).build())
                        .decoderSource(DecoderSource.ENCODER).build()) {
            agent.train();
            float[] source = decoder.datasets.get(0).latents();
            assertThat(source).hasSize(8);
            assertAllCloseTo(source, Z);
        }
    }

    @Test
    void composedPolicy_deterministicDecodesTanhOfTheMean_stochasticTanhOfTheSample() {
        EnvSpec spec = EnvSpec.symmetric("Two", 1, 2, 1f, 1);
        ScriptedOptimizer optimizer = new ScriptedOptimizer().sampling(0.5, 1.5, U, 11);
        try (NDManager manager = NDManager.newBaseManager(); IdentityDecoder identity = new IdentityDecoder()) {
            optimizer.initialize(spec, Device.cpu(), 1);
            identity.initialize(spec, Device.cpu(), 1);
            ComposedPolicy policy = new ComposedPolicy(spec, optimizer, identity, manager, ActionSquashing.CLIP, true);
            int n = 64;
            float[] obs = new float[n];
            for (int i = 0; i < n; i++) {
                obs[i] = i; // distinct rows, so each sampled latent can be looked up
            }
            float[] actions = new float[2 * n];
            float[] latents = new float[2 * n];
            policy.act(obs, n, true, actions, latents);
            assertAllCloseTo(actions, Z);
            assertAllCloseTo(latents, Z);

            policy.act(obs, n, false, actions, latents);
            int outside = 0;
            for (int i = 0; i < n; i++) {
                float[] u = optimizer.sampledFor(new float[] {obs[i]});
                for (int j = 0; j < 2; j++) {
                    float z = (float) Math.tanh(u[j]);
                    assertThat(actions[2 * i + j]).isCloseTo(z, within(1e-6f));
                    assertThat(latents[2 * i + j]).isCloseTo(z, within(1e-6f));
                    outside += Math.abs(u[j]) > 1 ? 1 : 0;
                }
            }
            assertThat(outside).as("samples of N(0.5, 1.5^2) beyond [-1, 1] were bounded").isGreaterThan(10);

            float[] batched = policy.act(manager.create(obs, new Shape(n, 1)), false).toFloatArray();
            for (int i = 0; i < n; i++) {
                float[] u = optimizer.sampledFor(new float[] {obs[i]});
                assertThat(batched[2 * i]).isCloseTo((float) Math.tanh(u[0]), within(1e-6f));
            }
        }
    }

    @Test
    void stochasticEvaluation_decodesTanhOfSampledLatents() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer().sampling(0.0, 2.0, U, 5);
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(4);
                GoRL agent = GoRL.builder().env(train).evalEnv(eval).optimizer(optimizer)
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1))))
                        .stochasticEvaluation(true).boundedLatent(true).evalEvery(100).build()) {
            agent.train();
            assertThat(eval.actions).isNotEmpty();
            // Samples of N(0, 4) leave [-1, 1] about 60% of the time; the bandit would reject them unbounded.
            assertThat(eval.actions).allSatisfy(a -> {
                for (float x : a) {
                    assertThat(Math.abs(x)).isLessThan(1f);
                }
            });
            assertThat(eval.allEqual(Z)).as("sampled, not the mean").isFalse();
        }
    }

    @Test
    void theOptionIsValidated_sacRefused_ppoNeedsTheTanhEntropyCorrection_learnedPriorRefused() {
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2)) {
            GoRL.Builder sac = GoRL.builder().env(train).evalEnv(eval).optimizer(Sac.latent().build())
                    .boundedLatent(true);
            assertThatThrownBy(sac::build).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("boundedLatent(true) is not supported with latent SAC");
            GoRL.Builder ppo = GoRL.builder().env(train).evalEnv(eval).optimizer(Ppo.latent().build())
                    .boundedLatent(true);
            assertThatThrownBy(ppo::build).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tanhEntropyCorrection(true)");
            GoRL.Builder learned = GoRL.builder().env(train).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .decoderSource(DecoderSource.LEARNED_PRIOR).boundedLatent(true);
            assertThatThrownBy(learned::build).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("LEARNED_PRIOR");
        }
    }

    @Test
    void aCheckpointRecordsTheOption_andLoadingWithTheOtherSettingFails(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = oneStage(train, eval, true).runDirectory(run).build()) {
            agent.train();
        }
        String saved = java.nio.file.Files.readString(run.resolve("checkpoint/" + Checkpoints.DESCRIPTION));
        assertThat(saved).contains("\"boundedLatent\" : true");
        assertThat(java.nio.file.Files.readString(run.resolve("run.json"))).contains("\"boundedLatent\" : true");
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = oneStage(train, eval, false).build()) {
            assertThatThrownBy(() -> agent.load(run.resolve("checkpoint"))).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("was saved with boundedLatent true, but this agent has boundedLatent false");
        }
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = oneStage(train, eval, true).build()) {
            agent.load(run.resolve("checkpoint"));
        }
        Path off = dir.resolve("off");
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = oneStage(train, eval, false).runDirectory(off).build()) {
            agent.train();
        }
        assertThat(java.nio.file.Files.readString(off.resolve("checkpoint/" + Checkpoints.DESCRIPTION)))
                .as("off: the description is as before the option existed").doesNotContain("boundedLatent");
        try (RecordingVectorEnv train = bandits(2); RecordingVectorEnv eval = bandits(2);
                GoRL agent = oneStage(train, eval, true).build()) {
            assertThatThrownBy(() -> agent.load(off.resolve("checkpoint"))).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("was saved with boundedLatent false, but this agent has boundedLatent true");
        }
    }

    private static ScriptedOptimizer scripted() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        optimizer.latent = U;
        return optimizer;
    }

    private static GoRL.Builder oneStage(RecordingVectorEnv train, RecordingVectorEnv eval, boolean bounded) {
        return GoRL.builder().env(train).evalEnv(eval).optimizer(scripted()).decoder(new IdentityDecoder())
                .schedule(StageSchedule.of(List.of(new Stage(4, 0, 0, 0.2, 1)))).evalEvery(100)
                .boundedLatent(bounded);
    }

    private static void assertAllCloseTo(float[] values, float expected) {
        assertThat(values).isNotEmpty();
        for (float v : values) {
            assertThat(v).isCloseTo(expected, within(1e-6f));
        }
    }
}
