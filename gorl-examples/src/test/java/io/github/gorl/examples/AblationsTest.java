package io.github.gorl.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.core.DecoderSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gorl experiments --ablation NAME} and the {@code gorl train} options the ablations vary. */
class AblationsTest {

    @TempDir
    Path temp;

    @Test
    void everyAblation_isGorlFmWithOneOptionVaried() {
        Map<String, List<String>> beta = Ablations.algorithms("beta", List.of());
        assertThat(beta).containsOnlyKeys("beta=0", "beta=1e-4", "beta=1e-3", "beta=5e-3", "beta=1e-2");
        assertThat(beta.get("beta=5e-3")).containsExactly("--optimizer", "ppo", "--decoder", "flow", "--beta", "5e-3");
        assertThat(Ablations.algorithms("decoder-source", List.of()).get("source=encoder"))
                .endsWith("--decoder-source", "encoder");
        assertThat(Ablations.algorithms("decoder-width", List.of()).keySet())
                .containsExactly("width=32", "width=64", "width=128", "width=256");
        assertThat(Ablations.algorithms("decoder-epochs", List.of()).get("epochs=100"))
                .endsWith("--decoder-epochs", "100");
        assertThat(Ablations.algorithms("FREEZE", List.of()).get("freeze-after=0"))
                .endsWith("--freeze-decoder-after", "0");
        Map<String, List<String>> prior = Ablations.algorithms("prior", List.of());
        assertThat(prior.keySet()).containsExactly("prior=fixed", "prior=learned");
        assertThat(prior.get("prior=fixed")).endsWith("--decoder-source", "prior");
        assertThat(prior.get("prior=learned")).containsExactly("--optimizer", "ppo", "--decoder", "flow",
                "--decoder-source", "learned-prior");
        assertThatThrownBy(() -> Ablations.algorithms("prior", List.of("--decoder-source", "encoder")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--decoder-source");
    }

    @Test
    void fpoOnADmControlTaskWithTheCpuPreset_isWarnedOfTheCollapse_andNothingElseIs() {
        assertThat(TrainCommand.fpoShapeWarning("fpo", io.github.gorl.core.Preset.cpu("CheetahRun")))
                .contains("collapsed on CheetahRun").contains("--preset paper");
        assertThat(TrainCommand.fpoShapeWarning("FPO", io.github.gorl.core.Preset.cpu("WalkerWalk"))).isNotNull();
        assertThat(TrainCommand.fpoShapeWarning("fpo", io.github.gorl.core.Preset.cpu("Pendulum"))).isNull();
        assertThat(TrainCommand.fpoShapeWarning("dppo", io.github.gorl.core.Preset.cpu("CheetahRun"))).isNull();
        assertThat(TrainCommand.fpoShapeWarning("ppo", io.github.gorl.core.Preset.cpu("CheetahRun"))).isNull();
    }

    @Test
    void decoderSourceNames_mapToTheSources_andAnUnknownOneListsTheKnownOnes() {
        assertThat(AgentFactory.decoderSource("prior")).isEqualTo(DecoderSource.PRIOR);
        assertThat(AgentFactory.decoderSource("encoder")).isEqualTo(DecoderSource.ENCODER);
        assertThat(AgentFactory.decoderSource("Learned-Prior")).isEqualTo(DecoderSource.LEARNED_PRIOR);
        assertThatThrownBy(() -> AgentFactory.decoderSource("learned")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'learned'").hasMessageContaining("learned-prior");
    }

    @Test
    void gaussianBaseline_weighsThePriorOnDmControlTasks_andNotOnPendulum() throws Exception {
        Path cheetah = temp.resolve("cheetah-gaussian");
        assertThat(GorlCli.run("train", "--task", "CheetahRun", "--baseline", "gaussian-ppo", "--steps", "256",
                "--envs", "2", "--eval-episodes", "1", "--eval-every", "256", "--out", cheetah.toString())).isZero();
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(cheetah.resolve("run.json").toFile()).at("/schedule/stages/0/klBeta").asDouble())
                .isEqualTo(0.01);
        Path pendulum = temp.resolve("pendulum-gaussian");
        assertThat(GorlCli.run("train", "--decoder", "identity", "--steps", "256", "--envs", "2", "--eval-episodes",
                "1", "--out", pendulum.toString())).isZero();
        assertThat(json.readTree(pendulum.resolve("run.json").toFile()).at("/schedule/stages/0/klBeta").asDouble())
                .isZero();
        Path sac = temp.resolve("cheetah-gaussian-sac");
        assertThat(GorlCli.run("train", "--task", "CheetahRun", "--optimizer", "sac", "--decoder", "identity",
                "--steps", "256", "--envs", "2", "--eval-episodes", "1", "--eval-every", "256", "--out",
                sac.toString())).isZero();
        assertThat(json.readTree(sac.resolve("run.json").toFile()).at("/schedule/stages/0/klBeta").asDouble())
                .as("the weight was measured for Gaussian PPO only").isZero();
        Path explicit = temp.resolve("cheetah-beta0");
        assertThat(GorlCli.run("train", "--task", "CheetahRun", "--baseline", "gaussian-ppo", "--beta", "0",
                "--steps", "256", "--envs", "2", "--eval-episodes", "1", "--eval-every", "256", "--out",
                explicit.toString())).isZero();
        assertThat(json.readTree(explicit.resolve("run.json").toFile()).at("/schedule/stages/0/klBeta").asDouble())
                .isZero();
    }

    @Test
    void tinyLearnedPriorRun_recordsTheSource_andReloadsWithThePrior() throws Exception {
        Path out = temp.resolve("learned");
        assertThat(GorlCli.run("train", "--steps", "512", "--envs", "4", "--decoder-epochs", "1", "--decoder-data",
                "512", "--eval-episodes", "2", "--stages", "2", "--decoder-source", "learned-prior",
                "--decoder-min-updates", "50", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.at("/trainer/decoderSource").asText()).isEqualTo("learned-prior");
        assertThat(run.at("/trainer/decoderMinUpdates").asInt()).isEqualTo(50);
        assertThat(run.at("/trainer/decoderDataSize").asInt()).isEqualTo(512);
        // What the options leave alone comes from Pendulum's preset.
        assertThat(run.at("/trainer/decoderLearningRate").asDouble()).isEqualTo(1e-3);
        assertThat(run.at("/decoder/learnedPrior/maxLogStd").asDouble()).isEqualTo(2.0);
        assertThat(out.resolve("checkpoint/decoder/learned-prior.bin")).exists();
        // The multimodality command reloads runs this way: the prior comes back with the decoder.
        try (AgentFactory.LoadedRun loaded = AgentFactory.load(out)) {
            assertThat(loaded.agent().policy().act(new float[] {1, 0, 0})).hasSize(1);
        }
    }

    @Test
    void unknownAblation_listsTheKnownOnes_andTheVariedOptionMayNotBePassedThrough() {
        assertThatThrownBy(() -> Ablations.algorithms("width", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown ablation 'width'").hasMessageContaining("decoder-width");
        assertThatThrownBy(() -> Ablations.algorithms("beta", List.of("--beta", "0.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--beta");
    }

    @Test
    void dryRun_plansEveryVariantAndSeed() {
        Path dry = temp.resolve("dry");
        String printed = Console.printedBy(() -> assertThat(GorlCli.run("experiments", "--ablation", "freeze",
                "--tasks", "Pendulum", "--seeds", "1,2", "--steps", "1000", "--out", dry.toString(), "--dry-run"))
                .isZero());
        assertThat(printed).contains("8 runs, 8 to run")
                .contains("run    Pendulum/freeze-after=2/seed-1: gorl train --task Pendulum --optimizer ppo --decoder"
                        + " flow --freeze-decoder-after 2 --seed 1 --steps 1000 --out "
                        + dry.resolve("runs/Pendulum/freeze-after=2/seed-1"));
        assertThat(dry).doesNotExist();
        assertThat(GorlCli.run("experiments", "--ablation", "beta", "--algos", "gorl-fm", "--tasks", "Pendulum",
                "--out", dry.toString(), "--dry-run")).isNotZero();
    }

    @Test
    void tinyDecoderSourceAblation_trainsBothVariants_andRecordsTheSource() throws Exception {
        Path out = temp.resolve("exp");
        List<String> tiny = List.of("--decoder-epochs", "1", "--decoder-data", "512", "--eval-episodes", "2",
                "--stages", "2");
        ExperimentGrid grid = ExperimentGrid.builder().tasks(List.of("Pendulum"))
                .algorithms(Ablations.algorithms("decoder-source", tiny))
                .algos(List.of("source=prior", "source=encoder"))
                .seeds(List.of(1L)).steps(512L).envs(4).trainOptions(tiny).out(out).parallel(2).build();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true, StandardCharsets.UTF_8);
        int exit = ExperimentsCommand.run(grid, "./gorl experiments --ablation decoder-source (test)", false, print,
                print);
        assertThat(exit).as(sink.toString(StandardCharsets.UTF_8)).isZero();
        ObjectMapper json = new ObjectMapper();
        for (String source : new String[] {"prior", "encoder"}) {
            JsonNode run = json.readTree(out.resolve("runs/Pendulum/source=" + source + "/seed-1/run.json").toFile());
            assertThat(run.at("/trainer/decoderSource").asText()).isEqualTo(source);
        }
        List<String> csv = Files.readAllLines(out.resolve("curves.csv"));
        assertThat(csv).anyMatch(l -> l.startsWith("Pendulum,source=prior,1,"))
                .anyMatch(l -> l.startsWith("Pendulum,source=encoder,1,"));
        assertThat(Files.readString(out.resolve("summary.md"))).contains("source=encoder");
    }

    @Test
    void trainOptions_setTheDecoderWidthAndFreezeTheDecoder() throws Exception {
        Path out = temp.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--steps", "512", "--envs", "4", "--decoder-epochs", "1",
                "--decoder-data", "256", "--eval-episodes", "2", "--decoder-width", "32", "--freeze-decoder-after", "1",
                "--out", out.toString()));
        assertThat(GorlCli.run(args.toArray(String[]::new))).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.at("/decoder/hiddenLayers").toString()).isEqualTo("[32,32,32,32]");
        List<Integer> epochs = new ArrayList<>();
        run.at("/schedule/stages").forEach(s -> epochs.add(s.get("decoderEpochs").asInt()));
        assertThat(epochs).containsExactly(0, 1, 0, 0);
        // The run reloads with its recorded widths (the multimodality command does this).
        try (AgentFactory.LoadedRun loaded = AgentFactory.load(out)) {
            assertThat(loaded.agent().policy().act(new float[] {1, 0, 0})).hasSize(1);
        }
        assertThat(GorlCli.run("train", "--decoder-width", "32", "--decoder-hidden", "16,16", "--steps", "64",
                "--out", temp.resolve("bad").toString())).isNotZero();
        assertThat(GorlCli.run("train", "--decoder-source", "posterior", "--steps", "64",
                "--out", temp.resolve("bad2").toString())).isNotZero();
    }

    @Test
    void stageStepsAndTopEpisodes_reachTheScheduleAndTheTrainer() throws Exception {
        Path out = temp.resolve("stages");
        assertThat(GorlCli.run("train", "--task", "BimodalBandit", "--stage-steps", "128,256", "--envs", "4",
                "--decoder-epochs", "1", "--decoder-data", "64", "--decoder-min-updates", "5", "--top-episodes",
                "0.25", "--decoder-lr", "0.002", "--eval-episodes", "2", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        List<Long> steps = new ArrayList<>();
        run.at("/schedule/stages").forEach(s -> steps.add(s.get("encoderSteps").asLong()));
        assertThat(steps).containsExactly(128L, 256L);
        assertThat(run.at("/trainer/topEpisodeFraction").asDouble()).isEqualTo(0.25);
        assertThat(run.at("/trainer/decoderLearningRate").asDouble()).isEqualTo(0.002);
        assertThat(Console.errorOf("train", "--decoder-lr", "0", "--steps", "64", "--out",
                temp.resolve("bad").toString())).contains("learningRate").contains("0");
        String both = Console.errorOf("train", "--stage-steps", "128,256", "--steps", "512", "--out",
                temp.resolve("bad").toString());
        assertThat(both).contains("--stage-steps").contains("--steps");
        assertThat(Console.errorOf("train", "--stage-steps", "128,256", "--stages", "2", "--out",
                temp.resolve("bad").toString())).contains("--stage-steps");
        assertThat(Console.errorOf("train", "--stage-steps", "128,0", "--out", temp.resolve("bad").toString()))
                .contains("encoderSteps").contains("0");
        assertThat(Console.errorOf("train", "--top-episodes", "1.5", "--steps", "64", "--out",
                temp.resolve("bad").toString())).contains("topEpisodeFraction").contains("1.5");
        assertThat(Console.errorOf("train", "--decoder", "identity", "--top-episodes", "0.5", "--steps", "64",
                "--out", temp.resolve("bad").toString())).contains("--top-episodes").contains("identity");
        assertThat(temp.resolve("bad")).doesNotExist();
    }

    @Test
    void encoderInitRefitFromAndClips_reachTheScheduleAndTheTrainer() throws Exception {
        Path out = temp.resolve("encoder-init");
        assertThat(GorlCli.run("train", "--task", "BimodalBandit", "--stage-steps", "128,256,128", "--envs", "4",
                "--decoder-epochs", "1", "--decoder-data", "64", "--decoder-min-updates", "5", "--encoder-init",
                "prior-warm-value", "--refit-from", "best", "--clip", "0.25", "--grad-norm", "2",
                "--eval-episodes", "2", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        List<String> inits = new ArrayList<>();
        List<Double> clips = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        run.at("/schedule/stages").forEach(s -> {
            inits.add(s.path("encoderInit").asText("PRIOR"));
            clips.add(s.get("clip").asDouble());
            norms.add(s.get("gradNormClip").asDouble());
        });
        // Stage 0 starts from initialize; the flag sets how every later stage starts.
        assertThat(inits.subList(1, 3)).containsOnly("PRIOR_WARM_VALUE");
        assertThat(clips).containsOnly(0.25);
        assertThat(norms).containsOnly(2.0);
        assertThat(run.at("/trainer/decoderDataFrom").asText()).isEqualTo("best");
        // The defaults: later stages reset to the prior, data from the last encoder, the paper's clips.
        Path plain = temp.resolve("plain");
        assertThat(GorlCli.run("train", "--task", "BimodalBandit", "--stage-steps", "128,128", "--envs", "4",
                "--decoder-epochs", "1", "--decoder-data", "64", "--decoder-min-updates", "5",
                "--eval-episodes", "2", "--out", plain.toString())).isZero();
        JsonNode plainRun = new ObjectMapper().readTree(plain.resolve("run.json").toFile());
        assertThat(plainRun.at("/schedule/stages/1").path("encoderInit").asText("PRIOR")).isEqualTo("PRIOR");
        assertThat(plainRun.at("/schedule/stages/0/clip").asDouble()).isEqualTo(0.15);
        assertThat(plainRun.at("/schedule/stages/1/clip").asDouble()).isEqualTo(0.3);
        assertThat(plainRun.at("/trainer/decoderDataFrom").asText()).isNotEqualTo("best");

        Path bad = temp.resolve("bad");
        assertThat(Console.errorOf("train", "--encoder-init", "warm", "--steps", "64", "--out", bad.toString()))
                .contains("--encoder-init").contains("'warm'").contains("prior-warm-value");
        assertThat(Console.errorOf("train", "--refit-from", "first", "--steps", "64", "--out", bad.toString()))
                .contains("--refit-from").contains("'first'");
        assertThat(Console.errorOf("train", "--clip", "0", "--steps", "64", "--out", bad.toString()))
                .contains("--clip").contains("0");
        assertThat(Console.errorOf("train", "--grad-norm", "-1", "--steps", "64", "--out", bad.toString()))
                .contains("--grad-norm").contains("-1");
        assertThat(Console.errorOf("train", "--decoder", "identity", "--encoder-init", "fresh", "--steps", "64",
                "--out", bad.toString())).contains("--encoder-init").contains("identity");
        assertThat(Console.errorOf("train", "--plateau", "2", "--clip", "0.2", "--steps", "64", "--out",
                bad.toString())).contains("--clip");
        // The paper preset sets these itself: they are refused, not silently ignored.
        for (String[] option : new String[][] {{"--clip", "0.2"}, {"--grad-norm", "2"}, {"--refit-from", "best"}}) {
            assertThat(Console.errorOf("train", "--task", "CheetahRun", "--preset", "paper", "--scale", "0.001",
                    option[0], option[1], "--out", bad.toString())).contains(option[0])
                    .contains("does not combine with --preset paper");
        }
        assertThat(Console.errorOf("train", "--task", "CheetahRun", "--preset", "paper", "--scale", "0.001",
                "--optimizer", "sac", "--out", bad.toString())).contains("--optimizer sac does not combine");
        // --refit-samples, --refit-steps and --encoder-init set the paper preset's refits and later stages: refused
        // where there are none, or with a value the preset cannot take.
        assertThat(Console.errorOf("train", "--refit-samples", "2", "--steps", "64", "--out", bad.toString()))
                .contains("--refit-samples 2 applies to --preset paper only");
        assertThat(Console.errorOf("train", "--refit-steps", "5000", "--steps", "64", "--out", bad.toString()))
                .contains("--refit-steps 5000 applies to --preset paper only");
        String[][] refused = {
            {"--baseline", "gaussian-ppo", "--refit-samples", "2"}, {"--refit-samples 2", "have none"},
            {"--refit-samples", "0"}, {"refit samples per action", "0"},
            {"--baseline", "fpo", "--encoder-init", "prior"}, {"--encoder-init prior", "one stage"},
            {"--encoder-init", "warm"}, {"--encoder-init", "'warm'"},
            {"--decoder", "diffusion", "--refit-steps", "5000"}, {"refit steps apply to flow matching", "5000"},
            {"--refit-steps", "99"}, {"refit steps must be >= 100", "99"}};
        for (int i = 0; i < refused.length; i += 2) {
            List<String> args = new ArrayList<>(List.of("train", "--task", "CheetahRun", "--preset", "paper",
                    "--scale", "0.001", "--out", bad.toString()));
            args.addAll(List.of(refused[i]));
            assertThat(Console.errorOf(args.toArray(String[]::new))).contains(refused[i + 1]);
        }
        assertThat(bad).doesNotExist();
    }

    @Test
    void paperPreset_refitSamples_reachTheRefitAndTheReloadedAgent() {
        // paperPreset() is what both the training and the commands that reload a run (AgentFactory) build from.
        TrainCommand cmd = new TrainCommand();
        new picocli.CommandLine(cmd).parseArgs("--task", "CheetahRun", "--preset", "paper", "--scale", "0.056",
                "--refit-samples", "1");
        assertThat(cmd.paperPreset().refitSamplesPerAction()).isEqualTo(1);
        assertThat(cmd.paperPreset().decoderRefit().rowsPerStep()).isEqualTo(8192);
        TrainCommand plain = new TrainCommand();
        new picocli.CommandLine(plain).parseArgs("--task", "CheetahRun", "--preset", "paper", "--scale", "0.056");
        assertThat(plain.paperPreset().refitSamplesPerAction()).isEqualTo(8);
        assertThat(plain.paperPreset().schedule().stage(1).encoderInit()).isEqualTo(EncoderInit.FRESH);

        // --encoder-init replaces the reference's start of every later stage, not the first.
        TrainCommand init = new TrainCommand();
        new picocli.CommandLine(init).parseArgs("--task", "CheetahRun", "--preset", "paper", "--scale", "0.056",
                "--encoder-init", "prior-warm-value");
        io.github.gorl.api.FixedSchedule schedule = init.paperPreset().schedule();
        assertThat(schedule.stage(0).encoderInit()).isEqualTo(EncoderInit.FRESH);
        for (int k = 1; k < schedule.size(); k++) {
            assertThat(schedule.stage(k).encoderInit()).isEqualTo(EncoderInit.PRIOR_WARM_VALUE);
        }
        assertThat(init.paperPreset().describe()).containsEntry("laterEncoderInit", "PRIOR_WARM_VALUE (paper: FRESH)");

        TrainCommand steps = new TrainCommand();
        new picocli.CommandLine(steps).parseArgs("--task", "CheetahRun", "--preset", "paper", "--scale", "0.056",
                "--refit-steps", "11200");
        assertThat(steps.paperPreset().decoderRefit().toString()).contains("11200");
        assertThat(steps.paperPreset().describe()).containsEntry("refit", "11200 steps (paper: 50,000; scaled: 2800)");
        assertThat(plain.paperPreset().refitSteps()).isEqualTo(2800);
    }

    @Test
    void paperPreset_takesTheGridsAlgorithmOptions() {
        // gorl experiments passes each algorithm as --optimizer/--decoder (or --baseline): with -- --preset paper
        // --scale F every one of them must resolve to the preset's method.
        assertThat(TrainCommand.paperMethod("ppo", "flow", null)).isEqualTo(io.github.gorl.core.PaperPreset.Method.FLOW);
        assertThat(TrainCommand.paperMethod("ppo", "diffusion", null))
                .isEqualTo(io.github.gorl.core.PaperPreset.Method.DIFFUSION);
        assertThat(TrainCommand.paperMethod("ppo", "identity", null))
                .isEqualTo(io.github.gorl.core.PaperPreset.Method.GAUSSIAN_PPO);
        assertThat(TrainCommand.paperMethod("PPO", "flow", "fpo"))
                .isEqualTo(io.github.gorl.core.PaperPreset.Method.GAUSSIAN_PPO);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainCommand.paperMethod("ppo", "mixture", null))
                .hasMessageContaining("'mixture'");
    }

    @Test
    void paperPreset_printsTheEvaluationIntervalTheRunUses() {
        io.github.gorl.core.PaperPreset paper = io.github.gorl.core.PaperPreset.of("CheetahRun").scale(0.056);
        // Without --eval-every the preset's own interval is printed, as the run uses it.
        assertThat(TrainCommand.paperDescription(paper, null)).containsEntry("evalEvery", paper.evalEvery());
        // With it, the printed line is the one the run uses, not the preset's (a grid's 500,000 printed as 184,320).
        assertThat(TrainCommand.paperDescription(paper, 500_000L).get("evalEvery"))
                .isEqualTo("500000 (--eval-every; preset: " + paper.evalEvery() + ")");
        assertThat(TrainCommand.paperDescription(paper, 500_000L)).containsKeys("task", "envs", "stageSteps");
    }

    @Test
    void cpuPreset_onADmControlTask_setsTheMeasuredStagesAndRefits() throws Exception {
        Path out = temp.resolve("cheetah");
        assertThat(GorlCli.run("train", "--task", "CheetahRun", "--stage-steps", "512,512", "--envs", "2",
                "--decoder-data", "256", "--decoder-epochs", "1", "--decoder-min-updates", "2", "--eval-episodes",
                "1", "--eval-every", "512", "--out", out.toString())).isZero();
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        JsonNode stages = run.at("/schedule/stages");
        for (JsonNode stage : stages) {
            assertThat(stage.get("clip").asDouble()).isEqualTo(0.3);
            assertThat(stage.get("gradNormClip").asDouble()).isEqualTo(1.0);
            assertThat(stage.get("klBeta").asDouble()).isEqualTo(0.01);
        }
        assertThat(stages.get(1).get("encoderInit").asText()).isEqualTo("PRIOR_WARM_VALUE");
        assertThat(run.at("/trainer/decoderDataFrom").asText()).isEqualTo("best");
        assertThat(run.at("/trainer/decoderLearningRate").asDouble()).isEqualTo(1e-3);
    }
}
