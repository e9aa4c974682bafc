package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.BimodalBandit;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoRLTest {

    @TempDir
    Path temp;

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    @Test
    void build_withoutRequiredParts_namesWhatIsMissing() {
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            assertThatThrownBy(() -> GoRL.builder().evalEnv(eval).optimizer(new ScriptedOptimizer()).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("env is required");
            assertThatThrownBy(() -> GoRL.builder().env(env).optimizer(new ScriptedOptimizer()).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evalEnv is required");
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optimizer is required");
        }
    }

    @Test
    void build_withEvalEnvOfAnotherTask_namesBothSpecs() {
        try (VectorEnv env = pendulums(2); VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Pendulum").hasMessageContaining("BimodalBandit");
        }
    }

    @Test
    void build_identityDecoderWithRefits_isRejected() {
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .decoder(new IdentityDecoder()).schedule(StageSchedule.of(100, 100)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("identity decoder").hasMessageContaining("decoderEpochs=50");
        }
    }

    @Test
    void build_unwritableRunDirectory_failsBeforeTraining() throws Exception {
        // A regular file where a folder must go: unwritable for every user, root included.
        Path blocked = temp.resolve("file");
        Files.writeString(blocked, "x");
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer)
                    .decoder(new IdentityDecoder()).schedule(StageSchedule.single(100, 0))
                    .runDirectory(blocked.resolve("run")).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not writable").hasMessageContaining(blocked.toString());
            assertThat(optimizer.calls).doesNotContain("learn");
        }
    }

    @Test
    void train_runsStagesInThePapersOrder() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        RecordingDecoder decoder = new RecordingDecoder();
        FixedSchedule schedule = StageSchedule.of(400, 400, 400).decoderEpochs(2);
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                        .schedule(schedule).decoderRefit(DecoderRefit.builder().dataSize(300).minUpdates(0).build())
                        .evalEvery(10_000).build()) {
            TrainingResult result = agent.train();
            assertThat(decoder.calls).containsExactly("initialize", "resetToIdentity", "fit", "fit");
            assertThat(decoder.fitSizes).containsExactly(300, 300);
            assertThat(decoder.fitEpochs).containsExactly(2, 2);
            // Stage 0 resets to the prior once; each refit is followed by a reset, then the stage's knobs.
            assertThat(String.join(",", optimizer.calls)).isEqualTo(
                    "initialize,resetToPrior,resetToPrior,beginStage,learn,resetToPrior,beginStage,learn,"
                            + "resetToPrior,beginStage,learn");
            assertThat(optimizer.stages).containsExactlyElementsOf(schedule.stages());
            assertThat(result.envSteps()).isEqualTo(1200);
            // Step 0, after each refit, and at the end of each stage.
            assertThat(result.evaluations()).hasSize(1 + 2 + 3);
            assertThat(result.evaluations().get(0).step()).isZero();
        }
    }

    @Test
    void train_raisesTheRefitEpochsToTheMinimumUpdates() {
        // 300 pairs, 10% held out: 270 training pairs, 5 minibatches of 64 per epoch; 100 updates need 20 epochs.
        // The decoder gets the stage's epochs and the floor, and raises its own budget.
        RecordingDecoder decoder = new RecordingDecoder();
        DecoderRefit refit = DecoderRefit.builder().dataSize(300).batchSize(64).minUpdates(100).build();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer()).decoder(decoder)
                        .schedule(StageSchedule.of(400, 400, 400).decoderEpochs(2)).decoderRefit(refit)
                        .evalEvery(10_000).build()) {
            agent.train();
            assertThat(decoder.stageEpochs).containsExactly(2, 2);
            assertThat(decoder.fitEpochs).containsExactly(20, 20);
        }
        // A stage budget above the minimum is kept as it is.
        RecordingDecoder generous = new RecordingDecoder();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(generous).schedule(StageSchedule.of(400, 400).decoderEpochs(30)).decoderRefit(refit)
                        .evalEvery(10_000).build()) {
            agent.train();
            assertThat(generous.fitEpochs).containsExactly(30);
        }
        assertThatThrownBy(() -> DecoderRefit.builder().minUpdates(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minUpdates")
                .hasMessageContaining("-1");
    }

    @Test
    void train_writesTheRunDirectory() throws Exception {
        Path run = temp.resolve("run");
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.single(800, 0)).evalEvery(400)
                        .seed(3).runDirectory(run).build()) {
            TrainingResult result = agent.train();
            assertThat(run.resolve("metrics.csv")).exists();
            List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
            assertThat(csv.get(0)).startsWith("step,stage,phase,wall_seconds,eval_return");
            assertThat(csv).anyMatch(l -> l.contains(",evaluation,"));
            assertThat(csv).anyMatch(l -> l.contains(",encoder,"));
            assertThat(Files.size(run.resolve("learning_curve.png"))).isGreaterThan(1000);
            JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
            assertThat(summary.get("final_eval_return").asDouble()).isEqualTo(result.finalEvalReturn());
            assertThat(summary.get("best_eval_return").asDouble()).isEqualTo(result.bestEvalReturn());
            assertThat(summary.get("env_steps").asLong()).isEqualTo(800);
            assertThat(summary.has("wall_seconds")).isTrue();
            JsonNode runJson = new ObjectMapper().readTree(run.resolve("run.json").toFile());
            assertThat(runJson.get("seed").asLong()).isEqualTo(3);
            assertThat(runJson.at("/task/id").asText()).isEqualTo("Pendulum");
            assertThat(runJson.at("/optimizer/name").asText()).isEqualTo("scripted");
            assertThat(runJson.at("/versions/djl").asText()).isNotBlank();
            assertThat(run.resolve("checkpoint/checkpoint.json")).exists();
        }
    }

    @Test
    void load_ofAnotherTasksCheckpoint_namesBothTasks() throws Exception {
        Path checkpoint = temp.resolve("ckpt");
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.single(100, 0)).build()) {
            agent.save(checkpoint);
        }
        try (VectorEnv env = Envs.sync(i -> new BimodalBandit(), 2);
                VectorEnv eval = Envs.sync(i -> new BimodalBandit(), 2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(new IdentityDecoder()).schedule(StageSchedule.single(100, 0)).build()) {
            assertThatThrownBy(() -> agent.load(checkpoint))
                    .hasMessageContaining("Pendulum").hasMessageContaining("BimodalBandit");
        }
    }

    /** Records the decoder calls of the trainer; decodes as the identity. */
    static final class RecordingDecoder implements io.github.gorl.api.GenerativeDecoder {
        final List<String> calls = new ArrayList<>();
        final List<Integer> fitSizes = new ArrayList<>();
        final List<Integer> fitEpochs = new ArrayList<>();
        final List<Integer> stageEpochs = new ArrayList<>();
        private final IdentityDecoder identity = new IdentityDecoder();

        @Override
        public void initialize(io.github.gorl.api.EnvSpec spec, ai.djl.Device device, long seed) {
            calls.add("initialize");
            identity.initialize(spec, device, seed);
        }

        @Override
        public void resetToIdentity() {
            calls.add("resetToIdentity");
        }

        @Override
        public ai.djl.ndarray.NDArray decode(ai.djl.ndarray.NDArray observations, ai.djl.ndarray.NDArray latents) {
            return identity.decode(observations, latents);
        }

        @Override
        public ai.djl.ndarray.NDArray sample(ai.djl.ndarray.NDArray observations, int n) {
            return identity.sample(observations, n);
        }

        @Override
        public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
            calls.add("fit");
            fitSizes.add(data.size());
            stageEpochs.add(options.epochs());
            // The budget a minibatch-trained decoder runs on its training split (the held-out pairs excluded).
            int training = data.size() - (int) Math.floor(data.size() * options.validationFraction());
            fitEpochs.add(options.epochBudget(training));
            return new FitResult(options.epochs(), 0, 0, 0, false);
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public java.util.Map<String, Object> config() {
            return java.util.Map.of();
        }

        @Override
        public void save(Path directory) {}

        @Override
        public void load(Path directory) {}

        @Override
        public void close() {}
    }
}
