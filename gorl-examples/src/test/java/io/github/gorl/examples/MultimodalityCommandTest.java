package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.PaperPreset;
import io.github.gorl.core.train.JsonFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultimodalityCommandTest {

    private static final String TASK = "BimodalBandit";

    @TempDir
    static Path temp;

    static Path run;
    static float[] actionBeforeSave;

    /** A run directory as {@code gorl train} writes it, of an untrained agent (training is not under test here). */
    @BeforeAll
    static void writeRun() throws Exception {
        run = temp.resolve("run");
        try (VectorEnv train = Tasks.vector(TASK, 4);
                VectorEnv eval = Tasks.vector(TASK, 2);
                GoRL agent = GoRL.builder()
                        .env(train)
                        .evalEnv(eval)
                        .optimizer(AgentFactory.optimizer("ppo", TASK))
                        .decoder(AgentFactory.decoder("flow"))
                        .schedule(StageSchedule.scaled(1000))
                        .seed(3)
                        .runDirectory(run)
                        .build()) {
            agent.save(run.resolve("checkpoint"));
            actionBeforeSave = agent.policy().act(new float[] {1f});
        }
    }

    @Test
    void load_rebuildsTheAgentOfARunDirectory() throws Exception {
        try (AgentFactory.LoadedRun loaded = AgentFactory.load(run)) {
            assertThat(loaded.task()).isEqualTo(TASK);
            assertThat(loaded.seed()).isEqualTo(3);
            assertThat(loaded.train().numEnvs()).isEqualTo(4);
            assertThat(loaded.agent().policy().act(new float[] {1f})).containsExactly(actionBeforeSave);
        }
    }

    @Test
    void load_rebuildsAPaperPresetRun_withItsNetworksAndTanhSquashing() throws Exception {
        // Before the preset's train-args were read, a paper run was rebuilt with the CPU preset's networks (its
        // checkpoint did not fit) and with clipped actions where the run executed tanh-squashed ones.
        Path paperRun = temp.resolve("paper-run");
        float[] observation = new float[17];
        for (int i = 0; i < observation.length; i++) {
            observation[i] = 0.1f * (i - 8);
        }
        float[] action;
        float[] executed;
        PaperPreset preset = PaperPreset.of("CheetahRun").method(PaperPreset.Method.FLOW).scale(1e-4).envs(4);
        try (VectorEnv train = Tasks.vector("CheetahRun", 4);
                VectorEnv eval = Tasks.vector("CheetahRun", 1);
                GoRL agent = TrainCommand.paperBuilder(preset, null).env(train).evalEnv(eval).seed(5)
                        .runDirectory(paperRun).build()) {
            agent.save(paperRun.resolve("checkpoint"));
            action = agent.policy().act(observation);
            executed = agent.policy().actInBounds(observation);
        }
        JsonFile.write(paperRun.resolve(TrainArguments.FILE), Map.of("command", "train", "args", List.of("--task",
                "CheetahRun", "--preset", "paper", "--scale", "0.0001", "--envs", "4", "--seed", "5")));

        try (AgentFactory.LoadedRun loaded = AgentFactory.load(paperRun)) {
            assertThat(loaded.agent().policy().act(observation)).containsExactly(action);
            assertThat(loaded.agent().policy().actInBounds(observation)).containsExactly(executed);
        }
        // The preset squashes with tanh: some action is strictly inside the bounds where clipping would not move it.
        for (int i = 0; i < action.length; i++) {
            assertThat(executed[i]).isEqualTo((float) Math.tanh(action[i]), within(1e-6f));
        }
    }

    @Test
    void multimodality_writesActionsPngAndStatsJson() throws Exception {
        Path out = temp.resolve("analysis");
        assertThat(GorlCli.run("multimodality", "--run", run.toString(), "--samples", "2000", "--out",
                out.toString())).isZero();
        assertThat(Files.size(out.resolve("actions.png"))).isGreaterThan(1000);
        JsonNode stats = new ObjectMapper().readTree(out.resolve("stats.json").toFile());
        assertThat(stats.path("task").asText()).isEqualTo(TASK);
        assertThat(stats.path("samples").asInt()).isEqualTo(2000);
        // The default state is the task's first observation, [1].
        assertThat(stats.path("state").get(0).asDouble()).isEqualTo(1.0);
        // Untrained: the identity decoder applied to the N(0, 1) prior, a unimodal distribution.
        JsonNode dim = stats.path("dimensions").get(0);
        assertThat(dim.path("modeCount").asInt()).isEqualTo(1);
        assertThat(dim.path("dip").path("pValue").asDouble()).isGreaterThan(0.01);
    }

    @Test
    void executed_testsTheClippedActions_whosePileUpsAtTheBoundsAreModes() throws Exception {
        // Untrained: raw actions ~ N(0, 1), unimodal; clipped to [-1, 1], about 16% of them sit on each bound.
        assertThat(GorlCli.run("multimodality", "--run", run.toString(), "--samples", "4000", "--executed"))
                .isZero();
        Path out = run.resolve("multimodality-executed");
        List<String> rows = Files.readAllLines(out.resolve("actions.csv"));
        double[] values = rows.subList(1, rows.size()).stream().mapToDouble(Double::parseDouble).toArray();
        assertThat(Arrays.stream(values).min().orElseThrow()).isEqualTo(-1.0);
        assertThat(Arrays.stream(values).max().orElseThrow()).isEqualTo(1.0);
        assertThat(Arrays.stream(values).filter(v -> Math.abs(v) == 1.0).count() / (double) values.length)
                .isBetween(0.25, 0.40);
        JsonNode dim = new ObjectMapper().readTree(out.resolve("stats.json").toFile()).path("dimensions").get(0);
        assertThat(dim.path("dip").path("pValue").asDouble()).isLessThan(0.01);
        assertThat(dim.path("modeCount").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void multimodality_defaultsToTheRunsFolder_andAcceptsAState() throws Exception {
        assertThat(GorlCli.run("multimodality", "--run", run.toString(), "--samples", "500", "--state=-0.5"))
                .isZero();
        JsonNode stats = new ObjectMapper().readTree(run.resolve("multimodality/stats.json").toFile());
        assertThat(stats.path("state").get(0).asDouble()).isEqualTo(-0.5);
    }

    @Test
    void policySteps_zero_isTheResetState_andAStateTheEpisodeDoesNotReach_isRefused() throws Exception {
        Path out = temp.resolve("zero-steps");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("multimodality", "--run", run.toString(),
                "--samples", "500", "--policy-steps", "0", "--out", out.toString())).isZero());
        assertThat(printed).contains("State after 0 steps of the deterministic policy from reset seed 0");
        JsonNode stats = new ObjectMapper().readTree(out.resolve("stats.json").toFile());
        assertThat(stats.path("state").get(0).asDouble()).isEqualTo(1.0);
        // The bandit's episode is one step long.
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--policy-steps", "2"))
                .contains("--policy-steps 2: the episode ended after 1 steps");
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--policy-steps", "1", "--state", "1"))
                .contains("give --state or --policy-steps, not both");
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--policy-steps", "-1"))
                .contains("--policy-steps must be >= 0, got -1");
    }

    @Test
    void minReward_stepsOnUntilTheRewardIsReached_andIsRefusedWhenTheEpisodeEndsFirst() throws Exception {
        // The bandit's one step pays at most 1: any reward counts after 0 steps, none reaches 2.
        Path out = temp.resolve("min-reward");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("multimodality", "--run", run.toString(),
                "--samples", "500", "--policy-steps", "0", "--min-reward=-1000", "--out", out.toString())).isZero());
        assertThat(printed).contains("State after 1 steps of the deterministic policy from reset seed 0");
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--policy-steps", "0", "--min-reward",
                "2", "--reset-seed", "5")).contains("--policy-steps 0 --min-reward 2.0: no episode of reset seeds 5 to "
                + (5 + MultimodalityCommand.MIN_REWARD_TRIES - 1) + " reached that reward");
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--min-reward", "0.5"))
                .contains("--min-reward needs --policy-steps");
    }

    @Test
    void multimodality_withBadInput_failsWithOneClearLine() throws Exception {
        assertThat(Console.errorOf("multimodality", "--run", run.toString(), "--state", "1,2"))
                .contains("--state must have 1 values for BimodalBandit");
        assertThat(Console.errorOf("multimodality", "--run", temp.resolve("nothing").toString()))
                .contains("is not a run directory");
    }
}
