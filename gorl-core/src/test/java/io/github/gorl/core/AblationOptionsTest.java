package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.Stage;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The ablation options of the trainer, checked on what they change, not through returns. */
class AblationOptionsTest {

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    @Test
    void decoderSourceEncoder_fitsOnExactlyTheLatentsTheEncoderSampledForEachAction() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer().sampling(0, 3, 0f, 5);
        CapturingDecoder decoder = new CapturingDecoder();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(StageSchedule.of(200, 200).decoderEpochs(1)).decoderRefit(DecoderRefit.builder()
                        .dataSize(300).build())
                        .evalEvery(10_000).decoderSource(DecoderSource.ENCODER).build()) {
            agent.train();
        }
        assertThat(decoder.datasets).hasSize(1);
        DecoderDataset data = decoder.datasets.get(0);
        assertThat(data.size()).isEqualTo(300);
        float[] latents = data.latents();
        assertThat(latents).isNotNull().hasSize(300);
        int clipped = 0;
        for (int i = 0; i < data.size(); i++) {
            float[] sampled = optimizer.sampledFor(Arrays.copyOfRange(data.observations(), 3 * i, 3 * i + 3));
            assertThat(sampled).as("the encoder sampled a latent for row %d's observation", i).isNotNull();
            assertThat(latents[i]).isEqualTo(sampled[0]);
            // The identity decoder makes the action the latent, clipped to Pendulum's [-2, 2]: the latent is kept
            // unclipped.
            assertThat(data.actions()[i]).isEqualTo(Math.max(-2f, Math.min(2f, sampled[0])));
            clipped += Math.abs(sampled[0]) > 2 ? 1 : 0;
        }
        assertThat(clipped).isPositive();
    }

    @Test
    void decoderSourcePrior_fitsWithoutLatents_andIsTheDefault() {
        for (DecoderSource source : new DecoderSource[] {null, DecoderSource.PRIOR}) {
            CapturingDecoder decoder = new CapturingDecoder();
            try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2)) {
                GoRL.Builder builder = GoRL.builder().env(env).evalEnv(eval)
                        .optimizer(new ScriptedOptimizer().sampling(0, 3, 0f, 5))
                        .decoder(decoder).schedule(StageSchedule.of(200, 200).decoderEpochs(1))
                        .decoderRefit(DecoderRefit.builder().dataSize(300).build()).evalEvery(10_000);
                if (source != null) {
                    builder.decoderSource(source);
                }
                try (GoRL agent = builder.build()) {
                    agent.train();
                    assertThat(agent.describe().toString()).contains("decoderSource=prior");
                }
            }
            assertThat(decoder.datasets).hasSize(1);
            assertThat(decoder.datasets.get(0).latents()).isNull();
        }
        assertThatThrownBy(() -> GoRL.builder().decoderSource(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decoderSource");
    }

    @Test
    void freezeDecoderAfter_stopsRefitsAndResetsAfterThatStage_whileTheEncoderKeepsLearning() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        CapturingDecoder decoder = new CapturingDecoder();
        FixedSchedule schedule = StageSchedule.of(200, 200, 200, 200).decoderEpochs(3).freezeDecoderAfter(1);
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(schedule).decoderRefit(DecoderRefit.builder().dataSize(100).build())
                        .evalEvery(10_000).build()) {
            agent.train();
        }
        // One refit, before stage 1; stages 2 and 3 learn on that decoder with no reset of the encoder.
        assertThat(decoder.datasets).hasSize(1);
        assertThat(String.join(",", optimizer.calls)).isEqualTo("initialize,resetToPrior,resetToPrior,beginStage,"
                + "learn,resetToPrior,beginStage,learn,beginStage,learn,beginStage,learn");
        assertThat(schedule.stages().stream().map(Stage::decoderEpochs).toList()).containsExactly(0, 3, 0, 0);
        assertThatThrownBy(() -> schedule.freezeDecoderAfter(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("freezeDecoderAfter").hasMessageContaining("-1");
    }

    @Test
    void topEpisodeFraction_keepsOnlyTheBestEpisodesByReturn_forTheRefit() {
        // One-step bandit episodes from a broad unimodal policy N(0, 0.6): the best tenth by reward are the
        // actions near the two optimal actions +-0.6, so the refit's data is bimodal while the policy is not.
        BimodalBandit bandit = new BimodalBandit();
        double[] meanReward = new double[2];
        double[] worstKept = new double[2];
        int[] positive = new int[2];
        double[] fractions = {1.0, 0.1};
        for (int k = 0; k < 2; k++) {
            CapturingDecoder decoder = new CapturingDecoder();
            try (VectorEnv env = Envs.sync(i -> new BimodalBandit(), 8);
                    VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2);
                    GoRL agent = GoRL.builder().env(env).evalEnv(eval)
                            .optimizer(new ScriptedOptimizer().sampling(0, 0.6, 0f, 11)).decoder(decoder)
                            .schedule(StageSchedule.of(64, 64).decoderEpochs(1)).decoderRefit(DecoderRefit.builder()
                            .dataSize(400).topEpisodeFraction(fractions[k]).build()).evalEvery(10_000).build()) {
                agent.train();
            }
            DecoderDataset data = decoder.datasets.get(0);
            assertThat(data.size()).isEqualTo(400);
            worstKept[k] = Double.MAX_VALUE;
            for (float a : data.actions()) {
                double r = bandit.reward(new float[] {a});
                meanReward[k] += r / data.size();
                worstKept[k] = Math.min(worstKept[k], r);
                positive[k] += a > 0 ? 1 : 0;
            }
        }
        // All episodes: the policy's own reward distribution, with actions scoring ~0 (near 0 and the bounds).
        assertThat(worstKept[0]).isLessThan(0.01);
        assertThat(meanReward[0]).isLessThan(0.35);
        // The best tenth of 4,000 episodes: every kept action scores well, from both modes.
        assertThat(worstKept[1]).isGreaterThan(0.7);
        assertThat(meanReward[1]).isGreaterThan(0.85);
        assertThat(positive[1]).isBetween(120, 280);
        assertThatThrownBy(() -> DecoderRefit.builder().topEpisodeFraction(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topEpisodeFraction").hasMessageContaining("0.0");
    }
}
