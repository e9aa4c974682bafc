package io.github.gorl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.PlateauSchedule;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingProgress;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import io.github.gorl.envs.Envs;
import io.github.gorl.envs.classic.Pendulum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer with any {@link StageSchedule}, and the builder's guarantees: an immutable, self-contained agent. */
class ScheduleAndBuilderTest {

    @TempDir
    Path temp;

    private static VectorEnv pendulums(int n) {
        return Envs.sync(i -> new Pendulum(), n);
    }

    /** A user schedule: {@code stages} stages of at most {@code cap} steps, each ended after its first in-phase
     * evaluation; it records the views it was shown. */
    private static final class EndAfterFirstEvaluation implements StageSchedule {
        final List<TrainingProgress> asked = new ArrayList<>();
        final int stages;
        final long cap;
        final int decoderEpochs;

        EndAfterFirstEvaluation(int stages, long cap, int decoderEpochs) {
            this.stages = stages;
            this.cap = cap;
            this.decoderEpochs = decoderEpochs;
        }

        @Override
        public Optional<Stage> next(TrainingProgress run) {
            asked.add(run);
            return run.stage() < stages ? Optional.of(new Stage(cap, run.stage() == 0 ? 0 : decoderEpochs, 0, 0.2, 1))
                    : Optional.empty();
        }

        @Override
        public boolean endEncoderPhase(TrainingProgress run) {
            // Any evaluation of this stage after its encoder phase began (not the one right after its refit).
            return run.stageEvaluations().stream().anyMatch(e -> e.step() > run.stageStartStep());
        }

        @Override
        public long maxEncoderSteps() {
            return stages * cap;
        }

        @Override
        public int maxStages() {
            return stages;
        }
    }

    @Test
    void userSchedule_endsEncoderPhasesEarly_andSeesTheRunSoFar() {
        EndAfterFirstEvaluation schedule = new EndAfterFirstEvaluation(3, 10_000, 0);
        List<Long> stageStarts = new ArrayList<>();
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                        .decoder(new IdentityDecoder()).schedule(schedule).evalEvery(100)
                        .listener(new TrainingListener() {
                            @Override
                            public void onStageStart(int stageIndex, Stage stage, long step) {
                                stageStarts.add(step);
                            }
                        }).build()) {
            TrainingResult result = agent.train();

            // Each phase ends at its first evaluation, 100 steps in, not at its 10,000-step cap.
            assertThat(stageStarts).containsExactly(0L, 100L, 200L);
            assertThat(result.envSteps()).isEqualTo(300);
            // No duplicate closing evaluation where the schedule ended the phase.
            assertThat(result.evaluations()).extracting(Evaluation::step).containsExactly(0L, 100L, 200L, 300L);
            // Asked for stages 0..3 (the answer for 3 ends training), each time with the stages run so far.
            assertThat(schedule.asked).extracting(TrainingProgress::stage).containsExactly(0, 1, 2, 3);
            for (TrainingProgress view : schedule.asked) {
                assertThat(view.stages()).hasSize(view.stage());
                assertThat(view.stageStartStep()).isEqualTo(view.envSteps());
            }
            assertThat(schedule.asked.get(3).evaluations()).hasSize(4);
            assertThat(schedule.asked.get(3).lastRefit()).isEmpty();
        }
    }

    @Test
    void plateauSchedule_endsAPhaseWhenTheReturnStopsImproving_andResumesExactly() throws Exception {
        PlateauSchedule schedule = PlateauSchedule.builder().maxStages(3).stageSteps(2048).patience(2)
                .minImprovement(1e9).decoderEpochs(2).build();
        Function<Path, GoRL.Builder> agent = run -> GoRL.builder()
                .optimizer(Ppo.latent().actorLayers(16).criticLayers(16).unrollLength(32).minibatches(2).epochs(2)
                        .rewardScaling(0.1).build())
                .decoder(FlowMatchingDecoder.builder().hiddenLayers(16, 16).build()).schedule(schedule)
                .decoderRefit(DecoderRefit.builder().dataSize(512).batchSize(128).minUpdates(0).build())
                .evalEvery(256).seed(3).runDirectory(run).checkpointEvery(300);

        Run whole = train(agent.apply(temp.resolve("whole")), -1, null);
        // With delta = 1e9 every phase plateaus at its third evaluation (K = 2 after the first): after 512 steps.
        assertThat(whole.stageStarts).containsExactly(0L, 512L, 1024L);
        assertThat(whole.result.envSteps()).isEqualTo(1536);

        Path cut = temp.resolve("cut");
        assertThatThrownBy(() -> train(agent.apply(cut), 700, null)).hasMessageContaining("interrupted");
        Run resumed = train(agent.apply(cut), -1, cut);

        assertThat(resumed.result.evaluations()).isEqualTo(whole.result.evaluations());
        assertThat(resumed.result.envSteps()).isEqualTo(whole.result.envSteps());
    }

    private record Run(TrainingResult result, List<Long> stageStarts) {}

    private static Run train(GoRL.Builder builder, long stopAfter, Path resume) throws Exception {
        List<Long> starts = new ArrayList<>();
        try (VectorEnv env = pendulums(4); VectorEnv eval = pendulums(2)) {
            builder.env(env).evalEnv(eval).listener(new TrainingListener() {
                @Override
                public void onStageStart(int stageIndex, Stage stage, long step) {
                    starts.add(step);
                }

                @Override
                public void onMetrics(Metrics m) {
                    if (stopAfter > 0 && m.step() > stopAfter) {
                        throw new IllegalStateException("interrupted");
                    }
                }
            });
            try (GoRL agent = builder.build()) {
                if (resume != null) {
                    agent.load(resume.resolve("checkpoint"));
                }
                return new Run(agent.train(), starts);
            }
        }
    }

    @Test
    void invalidAnswers_areRejectedNamingTheStageAndTheValue() {
        record Answer(String name, Function<TrainingProgress, Optional<Stage>> next, GenerativeDecoder decoder,
                String message) {}
        List<Answer> answers = List.of(
                new Answer("refit in stage 0", run -> Optional.of(new Stage(100, 5, 0, 0.2, 1)),
                        new IdentityDecoder(), "stage 0 with Stage[encoderSteps=100, decoderEpochs=5"),
                new Answer("no stage at all", run -> Optional.empty(), new IdentityDecoder(),
                        "stage 0 with no stage"),
                new Answer("null", run -> null, new IdentityDecoder(), "stage 0 with null"),
                new Answer("identity refit", run -> Optional.of(new Stage(100, run.stage() == 0 ? 0 : 3, 0, 0.2, 1)),
                        new IdentityDecoder(), "stage 1 with Stage[encoderSteps=100, decoderEpochs=3"));
        for (Answer answer : answers) {
            StageSchedule schedule = new StageSchedule() {
                @Override
                public Optional<Stage> next(TrainingProgress run) {
                    return answer.next().apply(run);
                }

                @Override
                public long maxEncoderSteps() {
                    return 1_000;
                }

                @Override
                public int maxStages() {
                    return 5;
                }
            };
            try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                    GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                            .decoder(answer.decoder()).schedule(schedule).build()) {
                assertThatThrownBy(agent::train).as(answer.name()).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(answer.message());
            }
        }
    }

    @Test
    void setterAfterBuild_changesNothingInTheBuiltAgent() throws Exception {
        List<String> heard = new ArrayList<>();
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            GoRL.Builder builder = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                    .decoder(new IdentityDecoder()).schedule(StageSchedule.single(200, 0)).seed(4).evalEvery(100);
            try (GoRL agent = builder.build()) {
                Map<String, Object> before = agent.describe();
                builder.seed(99).evalEvery(7).schedule(StageSchedule.single(5_000, 0.5))
                        .decoderRefit(DecoderRefit.builder().dataSize(3).build()).runDirectory(temp.resolve("late"))
                        .listener(new TrainingListener() {
                            @Override
                            public void onEvaluation(Evaluation e) {
                                heard.add("late listener");
                            }
                        });
                assertThat(agent.describe()).isEqualTo(before);
                TrainingResult result = agent.train();
                assertThat(result.envSteps()).isEqualTo(200);
                assertThat(result.evaluations()).extracting(Evaluation::step).containsExactly(0L, 100L, 200L);
            }
        }
        assertThat(heard).isEmpty();
        assertThat(temp.resolve("late")).doesNotExist();
    }

    @Test
    void buildingTwice_needsNewPartsAndSharesNothing() {
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            ScriptedOptimizer optimizer = new ScriptedOptimizer();
            GoRL.Builder builder = GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer)
                    .schedule(StageSchedule.single(200, 0));
            try (GoRL first = builder.build()) {
                assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already built an agent with").hasMessageContaining("new ones");
                // A new optimizer is enough: the default decoder is made afresh for each agent.
                try (GoRL second = builder.optimizer(new ScriptedOptimizer()).build()) {
                    assertThat(second.policy()).isNotSameAs(first.policy());
                }
                assertThat(first.policy().act(new float[3])).hasSize(1);
            }
        }
    }

    @Test
    void build_doesNotReseedTheEngineOtherAgentsShare() {
        Engine engine = Engine.getInstance();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            engine.setRandomSeed(7);
            float[] expected = manager.randomNormal(new Shape(8)).toFloatArray();
            engine.setRandomSeed(7);
            try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2);
                    GoRL agent = GoRL.builder().env(env).evalEnv(eval).optimizer(new ScriptedOptimizer())
                            .schedule(StageSchedule.single(200, 0)).seed(1234).build()) {
                assertThat(manager.randomNormal(new Shape(8)).toFloatArray()).containsExactly(expected);
            }
        }
    }

    @Test
    void build_thatFailsAfterInitializing_closesTheOptimizerAndDecoder() {
        ScriptedOptimizer optimizer = new ScriptedOptimizer();
        // Breaks the identity contract: decode = 2 eps.
        ContractCheckTest.UserDecoder decoder = new ContractCheckTest.UserDecoder((s, eps) -> {
            NDArray out = eps.add(eps);
            out.attach(s.getManager());
            return out;
        });
        try (VectorEnv env = pendulums(2); VectorEnv eval = pendulums(2)) {
            assertThatThrownBy(() -> GoRL.builder().env(env).evalEnv(eval).optimizer(optimizer).decoder(decoder)
                    .schedule(StageSchedule.single(200, 0)).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must equal eps exactly");
        }
        assertThat(optimizer.closed).isTrue();
        assertThat(decoder.closed).isTrue();
    }
}
