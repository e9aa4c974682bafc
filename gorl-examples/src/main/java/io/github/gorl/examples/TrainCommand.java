package io.github.gorl.examples;

import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.PlateauSchedule;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.baselines.Dppo;
import io.github.gorl.baselines.Fpo;
import io.github.gorl.core.DecoderRefit;
import io.github.gorl.core.GoRL;
import io.github.gorl.core.PaperPreset;
import io.github.gorl.core.Preset;
import io.github.gorl.core.train.Listeners;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gorl train}: trains GoRL (or Gaussian PPO with {@code --decoder identity}) and writes a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train GoRL on a task and write a run directory (run.json, metrics.csv, learning_curve.png,"
                + " summary.json, checkpoint/).")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--task", defaultValue = "Pendulum", description = "Task name: ${COMPLETION-CANDIDATES}"
            + " (default: ${DEFAULT-VALUE}).", completionCandidates = Tasks.Names.class)
    String task;

    @Option(names = "--optimizer", defaultValue = "ppo", description = "Latent optimizer: ppo (default) or sac"
            + " (which has its own preset budget and envs).")
    String optimizer;

    @Option(names = "--decoder", defaultValue = "flow",
            description = "Decoder: flow (default), diffusion, or identity (= Gaussian PPO or SAC: one stage;"
                    + " Gaussian PPO weighs the KL to the prior 0.01 on the DMControl tasks, else 0).")
    String decoder;

    @Option(names = "--baseline", description = "Train a baseline instead of GoRL: gaussian-ppo (= --optimizer ppo"
            + " --decoder identity), fpo or dppo (flow / diffusion policy PPO in the action space, one stage).")
    String baseline;

    @Option(names = "--steps", description = "Total encoder environment steps (default: the task's preset).")
    Long steps;

    @Option(names = "--stages", defaultValue = "4",
            description = "Number of stages; 4 keeps the paper's 60/60/30/30 proportions (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--stage-steps", split = ",", paramLabel = "N",
            description = "Encoder env steps of each stage, comma-separated (replaces --steps and --stages; for"
                    + " example 2048,20480,10240,10240 for an early first refit).")
    long[] stageSteps;

    @Option(names = "--plateau", paramLabel = "K",
            description = "Adaptive stages (PlateauSchedule): a stage's encoder phase ends once its last K evaluations"
                    + " improved on its best before them by no more than --plateau-delta; --steps is the budget of"
                    + " the whole run and --stages the most stages.")
    Integer plateau;

    @Option(names = "--plateau-delta", defaultValue = "0", paramLabel = "D",
            description = "With --plateau: the return gain that counts as an improvement (default: ${DEFAULT-VALUE}).")
    double plateauDelta;

    @Option(names = "--envs", description = "Parallel training environments (default: the task's preset).")
    Integer envs;

    @Option(names = "--eval-episodes", defaultValue = "8", description = "Episodes per evaluation (default: 8).")
    int evalEpisodes;

    @Option(names = "--eval-every", description = "Environment steps between evaluations (default: budget/20).")
    Long evalEvery;

    @Option(names = "--decoder-epochs", description = "Decoder epochs per refit (default: the task's preset; a"
            + " shorter --steps than the preset's shrinks it, Preset.withSteps).")
    Integer decoderEpochs;

    @Option(names = "--decoder-data", description = "(s, a) pairs per decoder refit (default: the task's preset; a"
            + " shorter --steps than the preset's shrinks it, Preset.withSteps).")
    Integer decoderData;

    @Option(names = "--top-episodes", paramLabel = "F", description = "Decoder refits keep only the best fraction F"
            + " of the collected episodes by return, in (0, 1] (default: 1, every episode).")
    Double topEpisodes;

    @Option(names = "--decoder-min-updates", paramLabel = "N", description = "Fewest Adam updates per decoder refit:"
            + " a refit's epochs are raised to reach it (default: 600 on the DMControl tasks, else 2000, times"
            + " --steps / the preset's budget, up to 2000 when longer, Preset.withSteps; 0: exactly"
            + " --decoder-epochs).")
    Integer decoderMinUpdates;

    @Option(names = "--decoder-lr", paramLabel = "LR", description = "The decoder's Adam learning rate in refits, > 0"
            + " (default: the task's preset: 1e-3 on Pendulum and the DMControl tasks, the paper's 3e-4 on"
            + " BimodalBandit).")
    Double decoderLr;

    @Option(names = "--clip", paramLabel = "C",
            description = "PPO's ratio clip in every stage, in (0, 1) (default: 0.3 in every stage on the DMControl"
                    + " tasks and for --decoder identity, else the paper's 0.15 in stage 0 and 0.3 later).")
    Double clip;

    @Option(names = "--grad-norm", paramLabel = "G",
            description = "The encoder's gradient-norm clip in every stage, > 0 (default: 1.0 in every stage on the"
                    + " DMControl tasks and for --decoder identity, else the paper's 0.5 in stage 0 and 1.0 later).")
    Double gradNorm;

    @Option(names = "--encoder-init", paramLabel = "prior|fresh|warm-start|prior-warm-value",
            description = "How the encoder starts each stage after the first (EncoderInit): prior (the policy reset"
                    + " to N(0, I), the critic re-drawn; the default on Pendulum and BimodalBandit), fresh (policy,"
                    + " critic and observation statistics built anew; the reference's flow stages), warm-start"
                    + " (everything kept; the reference's diffusion stages) or prior-warm-value (the policy reset to"
                    + " N(0, I), critic and statistics kept; the reference's WalkerWalk flow stages, and the default"
                    + " on the DMControl tasks). Adam starts afresh in every mode. With --preset paper it replaces the"
                    + " reference's choice for GoRL's later stages.")
    String encoderInit;

    @Option(names = "--refit-from", paramLabel = "best|last",
            description = "Which encoder collects a refit's data: best (the stage's best-evaluated one, as the"
                    + " reference does; the default on the DMControl tasks) or last (the stage's final encoder; the"
                    + " default on Pendulum and BimodalBandit).")
    String refitFrom;

    @Option(names = "--beta", description = "KL-to-prior weight for every stage (default: 0.01 on Pendulum and,"
            + " with latent PPO, the DMControl tasks, else the paper's per-stage weights; the Gaussian PPO baseline:"
            + " 0.01 on the DMControl tasks, else 0).")
    Double beta;

    @Option(names = "--decoder-source", defaultValue = "prior", paramLabel = "prior|encoder|learned-prior",
            description = "Source points of decoder refits: prior (eps ~ N(0,I), the paper; default), encoder (the"
                    + " encoder latents that produced each action; an ablation) or learned-prior (a state-conditional"
                    + " Gaussian fitted to the encoder latents at each refit; an ablation).")
    String decoderSource;

    @Option(names = "--decoder-hidden", split = ",", paramLabel = "W",
            description = "Decoder hidden layer widths, comma-separated (default: flow 64,64,64,64,"
                    + " diffusion 128,128,128,128).")
    int[] decoderHidden;

    @Option(names = "--decoder-width", paramLabel = "W",
            description = "Shorthand for --decoder-hidden W,W,W,W (the paper's 4 layers).")
    Integer decoderWidth;

    @Option(names = "--freeze-decoder-after", paramLabel = "K",
            description = "No decoder refits after stage K (0 keeps the identity decoder); the encoder keeps"
                    + " learning on the frozen decoder without resets (default: refit at every stage).")
    Integer freezeDecoderAfter;

    @Option(names = "--preset", paramLabel = "cpu|paper", defaultValue = "cpu",
            description = "cpu (default): budgets sized for a CPU (docs/training.md); paper: the authors' settings for"
                    + " the six DMControl tasks with --decoder flow|diffusion or --baseline gaussian-ppo|fpo|dppo, and"
                    + " for HumanoidStand and HumanoidRun with --decoder flow (docs/fidelity.md); combine with"
                    + " --scale.")
    String preset;

    @Option(names = "--scale", paramLabel = "F", description = "With --preset paper: multiply env steps, collected"
            + " episodes and refit steps by F in (0, 1] and fit the env count to the machine (default 1).")
    Double scale;

    @Option(names = "--refit-samples", paramLabel = "K", description = "With --preset paper and a decoder: noise and"
            + " time draws per collected action in each refit step (default: the paper's 8). A refit's cost is"
            + " proportional to K; the steps, batch and data stay the preset's (docs/training.md).")
    Integer refitSamples;

    @Option(names = "--refit-steps", paramLabel = "N", description = "With --preset paper and --decoder flow: train"
            + " steps per refit (default: the paper's 50,000 times --scale).")
    Integer refitSteps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", description = "Run directory (default: runs/<task>-<decoder>-s<seed>-<time>). A"
            + " directory that already holds a run is refused unless --overwrite (or --resume DIR) is given; a"
            + " directory another gorl process is training in is always refused.")
    Path out;

    @Option(names = "--overwrite", description = "Replace the run in --out: its metrics.csv, summary.json,"
            + " learning_curve.png, train-args.json and checkpoint/ are deleted once this run holds the directory.")
    boolean overwrite;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Write checkpoint/ every N encoder env steps (default: only at the end).")
    Long checkpointEvery;

    @Option(names = "--on-nan", defaultValue = "stop", paramLabel = "stop|skip",
            description = "On a NaN or infinite observation or reward: stop (default; the error names the env step,"
                    + " the sub-env and the last checkpoint) or skip (drop the PPO batch or SAC transitions, reset"
                    + " the env, count skipped_batches/skipped_transitions in metrics.csv). A non-finite loss"
                    + " always stops.")
    String onNan;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its checkpoint/,"
            + " with the options it was started with (other options are ignored); metrics.csv is continued. Ctrl-C"
            + " or SIGTERM during a run writes a checkpoint at the next safe point and exits with 130 or 143; a"
            + " second Ctrl-C exits at once.")
    Path resume;

    @Spec
    CommandSpec spec;

    // Set on the command rebuilt from a run's train-args.json by --resume.
    private boolean resuming;

    @Override
    public Integer call() throws Exception {
        ExitWithParent.startIfAsked();
        if (resume != null) {
            if (overwrite) {
                throw new IllegalArgumentException("--overwrite starts a run anew and --resume continues one: give"
                        + " one of them");
            }
            TrainCommand original = TrainArguments.read(resume);
            original.out = resume;
            original.resuming = true;
            return original.call();
        }
        if (paperPresetChosen()) {
            return trainPaper();
        }
        if (!preset.equalsIgnoreCase("cpu")) {
            throw new IllegalArgumentException("--preset must be cpu or paper, got '" + preset + "'");
        }
        if (scale != null) {
            throw new IllegalArgumentException("--scale " + scale + " applies to --preset paper only");
        }
        if (refitSamples != null || refitSteps != null) {
            throw new IllegalArgumentException((refitSamples != null ? "--refit-samples " + refitSamples
                    : "--refit-steps " + refitSteps) + " applies to --preset paper only (the CPU preset's refit"
                    + " takes --decoder-epochs, --decoder-data and --decoder-min-updates)");
        }
        if (baseline != null) {
            // Every baseline acts in the real action space: the identity decoder and a single stage.
            optimizer = switch (baseline.toLowerCase(Locale.ROOT)) {
                case "gaussian-ppo" -> "ppo";
                case "fpo", "dppo" -> baseline.toLowerCase(Locale.ROOT);
                default -> throw new IllegalArgumentException(
                        "--baseline must be one of gaussian-ppo, fpo, dppo, got '" + baseline + "'");
            };
            decoder = "identity";
        }
        Preset preset = optimizer.equalsIgnoreCase("sac") ? Preset.cpuSac(task) : Preset.cpu(task);
        String warning = fpoShapeWarning(optimizer, preset);
        if (warning != null) {
            System.err.println(warning);
        }
        if (stageSteps != null && (steps != null || spec.commandLine().getParseResult().hasMatchedOption("--stages"))) {
            throw new IllegalArgumentException("give --stage-steps or --steps/--stages, not both");
        }
        long budget = stageSteps != null ? Arrays.stream(stageSteps).sum()
                : steps != null ? steps : preset.steps();
        preset = preset.withSteps(budget);
        int numEnvs = envs != null ? envs : preset.envs();
        boolean identity = decoder.equalsIgnoreCase("identity");
        if (plateau == null && spec.commandLine().getParseResult().hasMatchedOption("--plateau-delta")) {
            throw new IllegalArgumentException("--plateau-delta needs --plateau K");
        }
        if (plateau != null && (identity || stageSteps != null || beta != null || freezeDecoderAfter != null
                || encoderInit != null || clip != null || gradNorm != null)) {
            throw new IllegalArgumentException("--plateau decides the stages itself, with the paper's knobs: drop "
                    + (identity ? "--decoder identity" : stageSteps != null ? "--stage-steps"
                    : beta != null ? "--beta" : freezeDecoderAfter != null ? "--freeze-decoder-after"
                    : encoderInit != null ? "--encoder-init" : clip != null ? "--clip" : "--grad-norm"));
        }
        if (identity && (encoderInit != null || refitFrom != null)) {
            throw new IllegalArgumentException((encoderInit != null ? "--encoder-init" : "--refit-from")
                    + " needs a generative decoder (flow or diffusion); --decoder identity trains one stage with no"
                    + " decoder refits");
        }
        StageSchedule schedule;
        if (plateau != null) {
            schedule = PlateauSchedule.builder().maxStages(stages).stageSteps(budget).totalSteps(budget)
                    .patience(plateau).minImprovement(plateauDelta)
                    .decoderEpochs(decoderEpochs != null ? decoderEpochs : preset.decoderEpochs()).build();
        } else if (identity) {
            if (stageSteps != null || topEpisodes != null) {
                throw new IllegalArgumentException((stageSteps != null ? "--stage-steps" : "--top-episodes")
                        + " needs a generative decoder (flow or diffusion); --decoder identity trains one stage"
                        + " with no decoder refits");
            }
            // The measured baseline is Gaussian PPO (Preset.gaussianKlBeta); Gaussian SAC keeps no weight.
            double gaussianBeta = optimizer.equalsIgnoreCase("ppo") ? preset.gaussianKlBeta() : 0.0;
            schedule = withClips(StageSchedule.single(budget, beta != null ? beta : gaussianBeta));
        } else {
            FixedSchedule fixed = stageSteps != null ? StageSchedule.of(stageSteps)
                    : stages == 4 ? StageSchedule.scaled(budget) : evenStages(budget, stages);
            fixed = preset.tune(fixed);
            if (decoderEpochs != null) {
                fixed = fixed.decoderEpochs(decoderEpochs);
            }
            if (beta != null) {
                fixed = fixed.klBeta(beta);
            }
            if (encoderInit != null) {
                EncoderInit init = parseEncoderInit(encoderInit);
                for (int i = 1; i < fixed.size(); i++) {
                    fixed = fixed.withStage(i, s -> s.withEncoderInit(init));
                }
            }
            if (freezeDecoderAfter != null) {
                if (freezeDecoderAfter < 0) {
                    throw new IllegalArgumentException("--freeze-decoder-after must be >= 0, got "
                            + freezeDecoderAfter);
                }
                fixed = fixed.freezeDecoderAfter(freezeDecoderAfter);
            }
            schedule = withClips(fixed);
        }
        if (decoderWidth != null && decoderHidden != null) {
            throw new IllegalArgumentException("give --decoder-width or --decoder-hidden, not both");
        }
        int[] hidden = decoderWidth != null ? new int[] {decoderWidth, decoderWidth, decoderWidth, decoderWidth}
                : decoderHidden;
        Path runDir = out != null ? out : Path.of("runs", String.format(Locale.ROOT, "%s-%s-s%d-%s",
                task.toLowerCase(Locale.ROOT), (baseline != null ? baseline : decoder).toLowerCase(Locale.ROOT), seed,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        refuseExistingRun(runDir);
        DecoderRefit.Builder refit = preset.decoderRefit().toBuilder();
        if (decoderData != null) {
            refit.dataSize(decoderData);
        }
        if (topEpisodes != null) {
            refit.topEpisodeFraction(topEpisodes);
        }
        if (decoderMinUpdates != null) {
            refit.minUpdates(decoderMinUpdates);
        }
        if (decoderLr != null) {
            refit.learningRate(decoderLr);
        }
        if (refitFrom != null) {
            refit.collectFromBest(switch (refitFrom.toLowerCase(Locale.ROOT)) {
                case "best" -> true;
                case "last" -> false;
                default -> throw new IllegalArgumentException("--refit-from must be best or last, got '" + refitFrom
                        + "'");
            });
        }
        try (VectorEnv train = Tasks.vector(task, numEnvs);
                VectorEnv eval = Tasks.vector(task, evalEpisodes)) {
            GoRL.Builder builder = GoRL.builder()
                    .env(train)
                    .evalEnv(eval)
                    .optimizer(AgentFactory.optimizer(optimizer, task))
                    .decoder(AgentFactory.decoder(decoder, hidden))
                    .decoderSource(AgentFactory.decoderSource(decoderSource))
                    .schedule(schedule)
                    .seed(seed)
                    .runDirectory(runDir)
                    .listener(Listeners.progressBar());
            DecoderRefit built = refit.build();
            int[] threads = computeThreads(false, built.rowsPerStep() >= LARGE_REFIT_ROWS);
            builder.decoderRefit(built).computeThreads(threads[0], threads[1], threads[2]);
            if (evalEvery != null) {
                builder.evalEvery(evalEvery);
            }
            if (checkpointEvery != null) {
                builder.checkpointEvery(checkpointEvery);
            }
            builder.onNonFinite(AgentFactory.nonFinitePolicy(onNan));
            return train(builder, runDir, () -> System.out.printf(Locale.ROOT,
                    "Training %s on %s: %,d env steps, %s stage(s), %d envs, seed %d%n",
                    baseline != null ? baseline.toUpperCase(Locale.ROOT)
                            : identity ? "Gaussian " + optimizer.toUpperCase(Locale.ROOT)
                            : "GoRL(" + optimizer + "+" + decoder + ")", task, budget,
                    (plateau != null ? "at most " : "") + schedule.maxStages(), numEnvs, seed), result -> {
                        System.out.printf(Locale.ROOT, "%nFinal eval return %.1f, best %.1f, %,d env steps in %.0f s%n",
                                result.finalEvalReturn(), result.bestEvalReturn(), result.envSteps(),
                                result.wallSeconds());
                        System.out.println("Run directory: " + runDir.toAbsolutePath());
                        for (String f : new String[] {"run.json", "metrics.csv", "learning_curve.png", "summary.json",
                                "checkpoint"}) {
                            System.out.println("  " + f + (Files.exists(runDir.resolve(f)) ? "" : " (missing!)"));
                        }
                    });
        }
    }

    /**
     * Builds the agent, which locks {@code runDir} for this process (refused, naming the holder, if another run has
     * it); then, holding it, loads the checkpoint ({@code --resume}) or starts the run (clearing the previous one with
     * {@code --overwrite}), and trains with Ctrl-C and SIGTERM asking for a checkpointed stop.
     *
     * @return 0, or 130 / 143 when a signal stopped the run at a checkpoint
     */
    /** Refit minibatches of at least this many rows (batch x draws) run faster on two threads than on one. */
    static final long LARGE_REFIT_ROWS = 32_768;

    /** The schedule with {@code --clip} and {@code --grad-norm}, where given, in every stage. */
    private FixedSchedule withClips(FixedSchedule schedule) {
        if (clip != null && !(clip > 0 && clip < 1)) {
            throw new IllegalArgumentException("--clip must be in (0, 1), got " + clip);
        }
        if (gradNorm != null && !(gradNorm > 0)) {
            throw new IllegalArgumentException("--grad-norm must be > 0, got " + gradNorm);
        }
        FixedSchedule result = schedule;
        for (int i = 0; i < result.size(); i++) {
            result = result.withStage(i, s -> s.withClips(clip != null ? clip : s.clip(),
                    gradNorm != null ? gradNorm : s.gradNormClip()));
        }
        return result;
    }

    /** The {@code --encoder-init} value as an {@link EncoderInit}, or an exception naming the bad value. */
    static EncoderInit parseEncoderInit(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "prior" -> EncoderInit.PRIOR;
            case "fresh" -> EncoderInit.FRESH;
            case "warm-start" -> EncoderInit.WARM_START;
            case "prior-warm-value" -> EncoderInit.PRIOR_WARM_VALUE;
            default -> throw new IllegalArgumentException(
                    "--encoder-init must be prior, fresh, warm-start or prior-warm-value, got '" + value + "'");
        };
    }

    /**
     * PyTorch's intra-op threads for rollouts, PPO updates and refits ({@code GoRL.Builder.computeThreads}). The
     * launcher's {@code GORL_TORCH_THREADS} (passed as {@code -Dgorl.torchThreads}) fixes all three; otherwise
     * ({@code auto}) rollouts get one thread and updates and refits {@code min(2, cores)} when their tensors are
     * large. Measured on 2 cores with tcmalloc (docs/benchmarks.md): two threads run 960-row PPO minibatches 1.58x
     * and 32,768- to 65,536-row refit steps 1.6-1.9x faster, but 60-row minibatches (and so per-step inference on
     * tens of envs) at 0.65x and 8,192-row refit steps at 0.8x.
     */
    static int[] computeThreads(boolean largeUpdates, boolean largeRefits) {
        String fixed = System.getProperty("gorl.torchThreads", "auto").trim();
        if (!fixed.isEmpty() && !fixed.equalsIgnoreCase("auto")) {
            int n;
            try {
                n = Integer.parseInt(fixed);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                throw new IllegalArgumentException("GORL_TORCH_THREADS must be a positive count or auto, got '"
                        + fixed + "'");
            }
            return new int[] {n, n, n};
        }
        int many = Math.min(2, Runtime.getRuntime().availableProcessors());
        return new int[] {1, largeUpdates ? many : 1, largeRefits ? many : 1};
    }

    private int train(GoRL.Builder builder, Path runDir, Runnable announce, Consumer<TrainingResult> report)
            throws Exception {
        try (GoRL agent = builder.build()) {
            if (resuming) {
                agent.load(runDir.resolve("checkpoint"));
                System.out.printf(Locale.ROOT, "Resuming %s from env step %,d%n", runDir, agent.envSteps());
            } else {
                if (overwrite) {
                    clearPreviousRun(runDir);
                }
                TrainArguments.write(runDir, spec.commandLine().getParseResult());
            }
            TrainingResult result;
            try (StopOnSignal signals = new StopOnSignal(agent::requestStop, System.err)) {
                announce.run();
                try {
                    result = agent.train();
                } catch (CancellationException stopped) {
                    System.out.flush();
                    System.err.println("gorl: " + stopped.getMessage());
                    System.err.println("gorl: continue it with: gorl train --resume " + runDir);
                    return StopOnSignal.exitCode(signals.received() != null ? signals.received() : "INT");
                }
            }
            report.accept(result);
        }
        return 0;
    }

    /** What a finished or interrupted run leaves in its directory, besides {@code run.json} and {@code run.lock}. */
    private static final List<String> RUN_FILES = List.of("metrics.csv", "summary.json", "learning_curve.png",
            TrainArguments.FILE);

    /**
     * Refuses an {@code --out} that holds a run, unless {@code --overwrite}: a second run would interleave its rows
     * with the first one's and replace its checkpoints.
     */
    private void refuseExistingRun(Path runDir) throws IOException {
        if (resuming || overwrite || !Files.isDirectory(runDir)) {
            return;
        }
        List<String> found = new ArrayList<>();
        for (String f : List.of("run.json", TrainArguments.FILE, "metrics.csv", "summary.json", "checkpoint")) {
            if (Files.exists(runDir.resolve(f))) {
                found.add(f);
            }
        }
        if (!found.isEmpty()) {
            throw new IllegalArgumentException("--out " + runDir + " already holds a run (" + String.join(", ", found)
                    + "): continue it with --resume " + runDir + ", replace it with --overwrite, or choose another"
                    + " --out");
        }
    }

    /** {@code --overwrite}, with the directory locked: removes the previous run's files and checkpoints. */
    private static void clearPreviousRun(Path runDir) throws IOException {
        for (String f : RUN_FILES) {
            Files.deleteIfExists(runDir.resolve(f));
        }
        try (DirectoryStream<Path> checkpoints = Files.newDirectoryStream(runDir, "checkpoint{,.tmp-*,.old-*}")) {
            for (Path c : checkpoints) {
                try (Stream<Path> all = Files.walk(c)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    /**
     * {@code --preset paper}: the authors' settings ({@link PaperPreset}), scaled by {@code --scale}; only the
     * options that choose what to run ({@code --task}, {@code --decoder}, {@code --baseline gaussian-ppo},
     * {@code --envs}, {@code --seed}, {@code --out}, {@code --eval-every}, {@code --checkpoint-every},
     * {@code --on-nan}) combine with it.
     */
    private Integer trainPaper() throws Exception {
        for (String option : new String[] {"--steps", "--stages", "--stage-steps", "--plateau", "--plateau-delta",
                "--eval-episodes", "--decoder-epochs", "--decoder-data", "--top-episodes", "--decoder-min-updates",
                "--decoder-lr", "--beta", "--clip", "--grad-norm", "--refit-from",
                "--decoder-source", "--decoder-hidden", "--decoder-width", "--freeze-decoder-after"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new IllegalArgumentException(option + " does not combine with --preset paper, which sets it"
                        + " as the authors do; use --scale F to shrink the run");
            }
        }
        String generative = paperGenerative();
        PaperPreset paper = paperPreset();
        PaperPreset.Method method = paper.method();
        String label = generative != null ? generative
                : method == PaperPreset.Method.GAUSSIAN_PPO ? "gaussian-ppo" : decoder.toLowerCase(Locale.ROOT);
        Path runDir = out != null ? out : Path.of("runs", String.format(Locale.ROOT, "%s-paper-%s-s%d-%s",
                paper.task().toLowerCase(Locale.ROOT), label, seed,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        refuseExistingRun(runDir);
        System.out.println("Paper preset (the authors' settings; docs/fidelity.md):");
        paperDescription(paper, evalEvery).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-15s %s%n", k, v));
        try (VectorEnv train = Tasks.vector(paper.task(), paper.envs());
                VectorEnv eval = Tasks.vector(paper.task(), paper.evalEpisodes())) {
            GoRL.Builder builder = paperBuilder(paper, generative).env(train).evalEnv(eval).seed(seed)
                    .runDirectory(runDir).listener(Listeners.progressBar())
                    .onNonFinite(AgentFactory.nonFinitePolicy(onNan));
            // The preset's minibatches hold envs / 2 sequences of 30 steps (960 rows at 64 envs) and its refit step
            // 65,536 rows: both faster on every core (up to 2, the measured count); its rollouts are not.
            int[] threads = computeThreads(true, true);
            builder.computeThreads(threads[0], threads[1], threads[2]);
            if (evalEvery != null) {
                builder.evalEvery(evalEvery);
            }
            if (checkpointEvery != null) {
                builder.checkpointEvery(checkpointEvery);
            }
            PaperPreset preset = paper;
            return train(builder, runDir, () -> { }, result -> {
                System.out.printf(Locale.ROOT, "%nFinal eval return %.1f (target %.0f: %s), best %.1f, %,d env steps"
                        + " in %.0f s%n", result.finalEvalReturn(), preset.targetReturn(),
                        result.finalEvalReturn() >= preset.targetReturn() ? "met" : "not met",
                        result.bestEvalReturn(), result.envSteps(), result.wallSeconds());
                System.out.println("Run directory: " + runDir.toAbsolutePath());
            });
        }
    }

    /**
     * What {@code --preset paper} prints: the preset's {@link PaperPreset#describe()}, with {@code evalEvery} the one
     * the run uses where {@code --eval-every} overrides the preset's.
     */
    static Map<String, Object> paperDescription(PaperPreset paper, Long evalEvery) {
        Map<String, Object> described = new LinkedHashMap<>(paper.describe());
        if (evalEvery != null) {
            described.put("evalEvery", evalEvery + " (--eval-every; preset: " + paper.evalEvery() + ")");
        }
        return described;
    }

    /**
     * The warning for FPO at the DMControl CPU preset's update shape ({@code null} for anything else): there it collapsed
     * on CheetahRun, where the paper preset's FPO trained (docs/baselines.md, "FPO on DMControl").
     */
    static String fpoShapeWarning(String optimizer, Preset preset) {
        if (!optimizer.equalsIgnoreCase("fpo") || !preset.measuredStages()) {
            return null;
        }
        return "gorl: warning: FPO at the CPU preset's update shape (64 minibatch updates of 128 rows per 1,024 env"
                + " steps) collapsed on CheetahRun within 0.2-0.9M env steps, with its own and with the reference's"
                + " settings; --preset paper (the reference's FPO and update shape, --scale F to shrink it) trained"
                + " stably there (docs/baselines.md, \"FPO on DMControl\")";
    }

    /** Whether these options train with {@code --preset paper}. */
    boolean paperPresetChosen() {
        return preset != null && preset.equalsIgnoreCase("paper");
    }

    /**
     * The paper preset these options choose: {@code --task}, the method of {@code --optimizer}, {@code --decoder} and
     * {@code --baseline} ({@link #paperMethod}), {@code --scale} and {@code --envs}. FPO and DPPO take Gaussian PPO's
     * budget: one stage of 180M env steps times the scale.
     */
    PaperPreset paperPreset() {
        PaperPreset paper = PaperPreset.of(task).method(paperMethod(optimizer, decoder, baseline))
                .scale(scale != null ? scale : 1.0);
        boolean baseline = paper.method() == PaperPreset.Method.GAUSSIAN_PPO || paperGenerative() != null;
        if (refitSamples != null) {
            if (baseline) {
                throw new IllegalArgumentException("--refit-samples " + refitSamples + " sets GoRL's decoder refit;"
                        + " the baselines (--baseline, --decoder identity) have none");
            }
            paper = paper.refitSamplesPerAction(refitSamples);
        }
        if (encoderInit != null) {
            if (baseline) {
                throw new IllegalArgumentException("--encoder-init " + encoderInit + " sets how GoRL's later stages"
                        + " start; the baselines (--baseline, --decoder identity) have one stage");
            }
            paper = paper.laterEncoderInit(parseEncoderInit(encoderInit));
        }
        if (refitSteps != null) {
            if (paperGenerative() != null) {
                throw new IllegalArgumentException("--refit-steps " + refitSteps + " sets GoRL's decoder refit; the"
                        + " baselines (--baseline) have none");
            }
            paper = paper.refitSteps(refitSteps);
        }
        return envs != null ? paper.envs(envs) : paper;
    }

    /** {@code fpo} or {@code dppo} for those baselines under {@code --preset paper}; {@code null} otherwise. */
    String paperGenerative() {
        if (baseline == null) {
            return null;
        }
        return switch (baseline.toLowerCase(Locale.ROOT)) {
            case "gaussian-ppo" -> null;
            case "fpo", "dppo" -> baseline.toLowerCase(Locale.ROOT);
            default -> throw new IllegalArgumentException("--baseline must be one of gaussian-ppo, fpo, dppo, got '"
                    + baseline + "'");
        };
    }

    /**
     * The paper preset's builder, for {@code generative} {@code fpo} or {@code dppo} with the reference's FPO or DPPO
     * (fpo.toml, dppo.toml) on the preset's update shape and their clip carried by the one stage (tanh on the executed
     * action comes from the preset's squashing). One place for {@code gorl train} and for the commands that reload
     * its runs ({@link AgentFactory#load}), so both build the same networks.
     *
     * @param paper the preset
     * @param generative {@code fpo}, {@code dppo} or {@code null} for the preset's own method
     * @return the builder, without environments, seed or run directory
     */
    static GoRL.Builder paperBuilder(PaperPreset paper, String generative) {
        GoRL.Builder builder = paper.builder();
        if (generative != null) {
            int sequences = paper.envs() * 16 / 32;
            boolean fpo = generative.equals("fpo");
            builder.optimizer(fpo ? Fpo.reference().batchSize(sequences).gamma(paper.gamma()).build()
                    : Dppo.reference().batchSize(sequences).gamma(paper.gamma()).build())
                    .schedule(StageSchedule.of(List.of(new Stage(paper.stageSteps()[0], 0, 0, fpo ? 0.05 : 0.2,
                            1e6))));
        }
        return builder;
    }

    /**
     * The paper preset's method for {@code --optimizer}, {@code --decoder} and {@code --baseline}: the names an
     * experiment grid passes ({@code gorl-fm} is {@code --optimizer ppo --decoder flow}, {@code gaussian-ppo}
     * {@code --optimizer ppo --decoder identity}) and the baselines.
     *
     * @throws IllegalArgumentException for an optimizer other than PPO or a decoder the preset does not have
     */
    static PaperPreset.Method paperMethod(String optimizer, String decoder, String baseline) {
        if (!optimizer.equalsIgnoreCase("ppo")) {
            throw new IllegalArgumentException("--preset paper trains the paper's latent PPO; --optimizer " + optimizer
                    + " does not combine with it");
        }
        if (baseline != null) {
            return PaperPreset.Method.GAUSSIAN_PPO;
        }
        return switch (decoder.toLowerCase(Locale.ROOT)) {
            case "flow" -> PaperPreset.Method.FLOW;
            case "diffusion" -> PaperPreset.Method.DIFFUSION;
            case "identity" -> PaperPreset.Method.GAUSSIAN_PPO;
            default -> throw new IllegalArgumentException("--preset paper trains GoRL with --decoder flow or"
                    + " diffusion, or Gaussian PPO with --decoder identity, got '" + decoder + "'");
        };
    }

    private static FixedSchedule evenStages(long budget, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--stages must be >= 1, got " + n);
        }
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = budget / n + (i < budget % n ? 1 : 0);
        }
        return StageSchedule.of(s);
    }
}
