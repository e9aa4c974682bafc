package io.github.gorl.core;

import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.Validate;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.TimeFrequencies;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's experiment as the authors' code runs it (their newer commit {@code 8a0209c}: {@code configs/methods/*.toml}
 * and {@code configs/tasks/*.toml}), optionally scaled down to fit a machine. Every value and where it comes from is
 * listed in {@code docs/fidelity.md}.
 *
 * <pre>{@code
 * PaperPreset paper = PaperPreset.of("CheetahRun").scale(0.01);       // GoRL with flow matching, 1.8M env steps
 * try (GoRL agent = paper.builder()
 *         .env(DmControl.vector("CheetahRun", paper.envs()))
 *         .evalEnv(DmControl.vector("CheetahRun", paper.evalEpisodes()))
 *         .build()) {
 *     agent.train();
 * }
 * }</pre>
 *
 * <p><b>At scale 1</b> a run is four stages of 60M, 60M, 30M and 30M env steps on 2048 envs; latent PPO takes the
 * Brax shape (1024 sequences x 32 minibatches x 30 steps = 983,040 env steps per iteration, 16 passes); actions are
 * {@code tanh(decode(s, eps))}; the regularizer is {@code beta (mean(mu^2) + mean(sigma^2))}; each refit collects 4,096
 * stochastic episodes with the stage's best-evaluated encoder and trains a fresh decoder (flow matching: 50,000 steps,
 * validation every 100 on 10% of episodes; diffusion: 50 epochs), keeping the best validation; evaluation is 128
 * deterministic episodes about ten times per stage.
 *
 * <p><b>Scaled</b> by {@code F} ({@link #scale}): env steps, collected episodes and flow-matching refit steps are
 * multiplied by {@code F}; the env count is fitted to the machine ({@link #envs(int)}, default
 * {@code min(2048, 32 * cores)}), and the iteration keeps each env's 16 sequences of 30 steps in 32 minibatches of
 * {@code envs / 2} sequences with 16 passes, so every sample is still used 16 times; stage steps are rounded down to
 * whole iterations, as the reference does. {@link #describe()} says what was scaled.
 *
 * <p><b>Humanoid</b> ({@code HumanoidStand}, {@code HumanoidRun}; flow matching only): the reference's humanoid profile
 * ({@code gorl_fm.toml} {@code profile_overrides.humanoid}, {@code configs/tasks/Humanoid*.toml}) as far as this
 * library has its options: bounded actions (the decoded action clipped to [-1, 1], the decoder learning the bounded
 * action, targets clipped at 1), a 21-d tanh-bounded latent (the decoder receives {@code tanh(u)} of the encoder's
 * Gaussian sample {@code u}, {@link GoRL.Builder#boundedLatent}, with the tanh Jacobian in PPO's entropy), clip 0.3 in
 * every stage, 128x4 decoders, 1,024 collected episodes per refit split by transition, stochastic evaluation,
 * HumanoidStand's later-stage learning rate 3e-4, and the targets (HumanoidStand 900 over 60M, 60M, 30M, 30M;
 * HumanoidRun 300 over 60M, 60M). Not carried over (docs/fidelity.md): the 180M-step Gaussian PPO teacher that seeds
 * the reference's stage-0 decoder (and warm starts HumanoidRun's encoder), epoch-based refits with patience 20,
 * pairwise decoder losses and HumanoidStand's 128 episodes in later collections.
 */
public final class PaperPreset {

    /** The methods of the paper's comparison that this preset configures. */
    public enum Method {
        /** GoRL with the flow-matching decoder ({@code gorl_fm.toml}). */
        FLOW,
        /** GoRL with the diffusion decoder ({@code gorl_diffusion.toml}). */
        DIFFUSION,
        /** The Gaussian PPO baseline ({@code ppo.toml}): one stage, {@code tanh} with the Jacobian in the entropy. */
        GAUSSIAN_PPO
    }

    /** The paper's env steps per stage. */
    private static final long[] STAGE_STEPS = {60_000_000, 60_000_000, 30_000_000, 30_000_000};
    /** HumanoidRun's two stages (after the reference's 180M-step teacher, which this preset does not run). */
    private static final long[] HUMANOID_RUN_STAGE_STEPS = {60_000_000, 60_000_000};
    private static final int HUMANOID_EPISODES = 1024;
    private static final int PAPER_ENVS = 2048;
    private static final int SEQUENCES_PER_ENV = 16;
    private static final int UNROLL = 30;
    private static final int MINIBATCHES = 32;
    private static final int PASSES = 16;
    private static final int PAPER_EPISODES = 4096;
    private static final int PAPER_FLOW_STEPS = 50_000;
    private static final int PAPER_EVAL_EPISODES = 128;
    private static final int EVALS_PER_STAGE = 10;
    private static final int PAPER_REFIT_SAMPLES = 8;

    private final String task;
    private final Task settings;
    private final Method method;
    private final double scale;
    private final int envs;
    private final int refitSamples;
    private final EncoderInit laterInit;
    private final int refitStepsSet;

    private PaperPreset(String task, Task settings, Method method, double scale, int envs, int refitSamples,
            EncoderInit laterInit, int refitStepsSet) {
        this.task = task;
        this.settings = settings;
        this.method = method;
        this.scale = scale;
        this.envs = envs;
        this.refitSamples = refitSamples;
        this.laterInit = laterInit;
        this.refitStepsSet = refitStepsSet;
    }

    /**
     * GoRL with flow matching on {@code task} at the paper's scale, on {@code min(2048, 32 * cores)} envs.
     *
     * @param task one of the six DMControl tasks of the paper (CheetahRun, FingerSpin, FingerTurnHard, FishSwim,
     *     HopperStand, WalkerWalk) or the reference's humanoid tasks (HumanoidStand, HumanoidRun), case-insensitive
     * @return the preset
     * @throws IllegalArgumentException for another task, naming the eight
     */
    public static PaperPreset of(String task) {
        Validate.notNull("task", task);
        Task settings = Task.of(task);
        return new PaperPreset(settings.name, settings, Method.FLOW, 1.0, machineEnvs(), PAPER_REFIT_SAMPLES, null,
                0);
    }

    /**
     * The env count fitted to this machine: 32 envs per core, at most the paper's 2048.
     *
     * @return an even count {@code >= 32}
     */
    public static int machineEnvs() {
        return Math.min(PAPER_ENVS, 32 * Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * This preset for another method.
     *
     * @param m the method
     * @return a new preset
     */
    public PaperPreset method(Method m) {
        Validate.notNull("method", m);
        if (settings.humanoid && m != Method.FLOW) {
            throw new IllegalArgumentException("the paper preset covers " + task + " with flow matching only (the"
                    + " reference's humanoid diffusion and Gaussian PPO settings are not carried over), got " + m);
        }
        return new PaperPreset(task, settings, m, scale, envs, refitSamples, laterInit, refitStepsSet);
    }

    /**
     * This preset scaled: env steps, collected episodes and flow-matching refit steps times {@code factor}.
     *
     * @param factor in {@code (0, 1]}
     * @return a new preset
     */
    public PaperPreset scale(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("scale must be in (0, 1], got " + factor);
        }
        return new PaperPreset(task, settings, method, factor, envs, refitSamples, laterInit, refitStepsSet);
    }

    /**
     * This preset on another number of training envs.
     *
     * @param count an even number {@code >= 2}; the paper uses 2048
     * @return a new preset
     */
    public PaperPreset envs(int count) {
        if (count < 2 || count % 2 != 0) {
            throw new IllegalArgumentException("envs must be an even number >= 2 (each minibatch holds envs / 2 "
                    + "sequences), got " + count);
        }
        return new PaperPreset(task, settings, method, scale, count, refitSamples, laterInit, refitStepsSet);
    }

    /**
     * This preset with another number of noise and time draws per collected action in each refit step (the paper's 8:
     * every pair of a batch of 8,192 is trained at 8 draws, 65,536 decoder rows a step; flow matching and diffusion).
     * A refit's cost is proportional to it: at scale 0.056 on one core, CheetahRun's refit of 2,800 steps took 43
     * minutes at 8 and 5 at 1, to the same validation loss (docs/training.md). Fewer draws keep the steps, the batch
     * and the data and give each step's gradient more noise.
     *
     * @param samples samples per action, {@code >= 1}
     * @return a new preset
     * @throws IllegalArgumentException for fewer than 1, or for a method without a generative refit (Gaussian PPO)
     */
    public PaperPreset refitSamplesPerAction(int samples) {
        Validate.positive("refit samples per action", samples);
        if (method == Method.GAUSSIAN_PPO && samples != PAPER_REFIT_SAMPLES) {
            throw new IllegalArgumentException("Gaussian PPO has no decoder refit; refit samples per action apply to"
                    + " flow matching and diffusion, got " + samples);
        }
        return new PaperPreset(task, settings, method, scale, envs, samples, laterInit, refitStepsSet);
    }

    /**
     * This preset with every stage after the first starting its encoder as {@code init} says, in place of the
     * reference's choice for the method and task (flow matching: {@link EncoderInit#FRESH}, a randomly initialized
     * policy that is not exactly the prior; WalkerWalk's flow matching: {@link EncoderInit#PRIOR_WARM_VALUE}). Right
     * after a refit a deterministic evaluation decodes the new encoder's mean: exactly 0 from the prior, a random
     * small value per state from a fresh network.
     *
     * @param init how later stages start their encoder
     * @return a new preset
     * @throws IllegalArgumentException for a method with one stage (Gaussian PPO)
     */
    public PaperPreset laterEncoderInit(EncoderInit init) {
        Validate.notNull("init", init);
        if (method == Method.GAUSSIAN_PPO) {
            throw new IllegalArgumentException("Gaussian PPO has one stage; a later stage's encoder start applies to"
                    + " flow matching and diffusion, got " + init);
        }
        return new PaperPreset(task, settings, method, scale, envs, refitSamples, init, refitStepsSet);
    }

    /** @return noise and time draws per collected action in each refit step, 8 for the paper */
    public int refitSamplesPerAction() {
        return refitSamples;
    }

    /** @return the task's name as the paper spells it */
    public String task() {
        return task;
    }

    /** @return the method */
    public Method method() {
        return method;
    }

    /** @return the scale factor, 1 for the paper */
    public double scale() {
        return scale;
    }

    /** @return the training envs */
    public int envs() {
        return envs;
    }

    /** @return whether evaluations sample the latent (the reference's humanoid runs) instead of taking its mean */
    public boolean stochasticEvaluation() {
        return settings.humanoid;
    }

    /**
     * @return whether the decoder receives {@code tanh} of the encoder's latent (the reference's humanoid profile,
     *     {@code bounded_latent = true}); false for the six tasks
     */
    public boolean boundedLatent() {
        return settings.humanoid;
    }

    /** @return how decoded actions reach the env: {@code tanh} (the six tasks), clipping (the humanoid's bounded actions) */
    public ActionSquashing actionSquashing() {
        return settings.humanoid ? ActionSquashing.CLIP : ActionSquashing.TANH;
    }

    /** @return the evaluation episodes (and evaluation envs), 128 */
    public int evalEpisodes() {
        return PAPER_EVAL_EPISODES;
    }

    /** @return the task's discount, for every method (FingerSpin 0.95, else 0.995) */
    public double gamma() {
        return settings.gamma;
    }

    /** @return the return the reference's summary compares the final return with ({@code target_return}) */
    public double targetReturn() {
        return settings.targetReturn;
    }

    /** @return env steps per PPO iteration: {@code envs * 16 * 30} (983,040 at 2048 envs) */
    public long iterationSteps() {
        return (long) envs * SEQUENCES_PER_ENV * UNROLL;
    }

    /** @return each stage's env steps: the paper's times the scale, rounded down to whole iterations (at least one) */
    public long[] stageSteps() {
        int stages = method == Method.GAUSSIAN_PPO ? 1 : settings.stageSteps.length;
        long[] steps = new long[stages];
        long iteration = iterationSteps();
        for (int k = 0; k < stages; k++) {
            long paper = method == Method.GAUSSIAN_PPO ? 180_000_000L : settings.stageSteps[k];
            steps[k] = Math.max(1, (long) Math.floor(paper * scale / iteration)) * iteration;
        }
        return steps;
    }

    /** @return the episodes collected per refit: 4,096 (humanoid: 1,024) times the scale, at least 10 */
    public int refitEpisodes() {
        return Math.max(10, (int) Math.round((settings.humanoid ? HUMANOID_EPISODES : PAPER_EPISODES) * scale));
    }

    /** @return the flow-matching refit's steps: 50,000 times the scale, at least 100 */
    public int refitSteps() {
        return refitStepsSet > 0 ? refitStepsSet : scaledRefitSteps();
    }

    private int scaledRefitSteps() {
        return Math.max(100, (int) Math.round(PAPER_FLOW_STEPS * scale));
    }

    /**
     * This preset with flow-matching refits of {@code steps} steps instead of the paper's 50,000 times the scale. A
     * scaled refit trains on the scaled episodes for the scaled steps; a decoder may need more steps than that to
     * copy the policy (at scale 0.056 on CheetahRun the validation loss still fell at 2,800 steps).
     *
     * @param steps train steps per refit, {@code >= 100} (the validation interval)
     * @return a new preset
     * @throws IllegalArgumentException for fewer than 100 steps, or a method other than flow matching (diffusion
     *     refits by epochs, Gaussian PPO has none)
     */
    public PaperPreset refitSteps(int steps) {
        if (method != Method.FLOW) {
            throw new IllegalArgumentException("refit steps apply to flow matching (diffusion refits for 50 epochs,"
                    + " Gaussian PPO has no refit), got " + method + " with " + steps + " steps");
        }
        if (steps < 100) {
            throw new IllegalArgumentException("refit steps must be >= 100 (validated every 100), got " + steps);
        }
        return new PaperPreset(task, settings, method, scale, envs, refitSamples, laterInit, steps);
    }

    /** @return env steps between evaluations: the shortest stage over ten, in whole iterations */
    public long evalEvery() {
        long[] steps = stageSteps();
        long shortest = Long.MAX_VALUE;
        for (long s : steps) {
            shortest = Math.min(shortest, s);
        }
        long iteration = iterationSteps();
        return Math.max(1, shortest / (EVALS_PER_STAGE - 1) / iteration) * iteration;
    }

    /**
     * The latent PPO of this preset: the Brax update shape with {@code envs / 2} sequences per minibatch, the
     * reference's regularizer and no observation clipping (the humanoid's bounded latent adds the tanh Jacobian to
     * the entropy); the Gaussian PPO baseline's own settings for that method.
     *
     * @return a new builder
     */
    public Ppo.Builder ppo() {
        Ppo.Builder ppo = Ppo.latent().actorLayers(32, 32, 32, 32).criticLayers(256, 256, 256, 256, 256)
                .unrollLength(UNROLL).minibatches(MINIBATCHES).epochs(PASSES)
                .batchSize(envs * SEQUENCES_PER_ENV / MINIBATCHES).learningRate(1e-3).gamma(settings.gamma)
                .gaeLambda(0.95).rewardScaling(10).entropyCoefficient(0.01).valueLossCoefficient(0.25)
                .normalizeAdvantages(true).normalizeObservations(true).observationClip(1e6)
                .klMode(Ppo.KlMode.SQUARED_MOMENTS);
        if (method == Method.GAUSSIAN_PPO) {
            return ppo.learningRate(3e-4).klToPrior(0).clip(0.1).gradNormClip(1e6).tanhEntropyCorrection(true);
        }
        return ppo.klToPrior(settings.humanoid ? 0 : StageSchedule.LATER_STAGE_KL_BETA).clip(0.3).gradNormClip(0.5)
                .tanhEntropyCorrection(boundedLatent());
    }

    /**
     * The decoder: flow matching 128x4 (HopperStand 64x4) or the reference's diffusion decoder 64x4, both with the
     * reference's time embedding and 10 sampling steps; the identity for Gaussian PPO.
     *
     * @return a new, uninitialized decoder
     */
    public GenerativeDecoder decoder() {
        return switch (method) {
            case FLOW -> {
                int width = settings.name.equals("HopperStand") ? 64 : 128;
                yield FlowMatchingDecoder.builder().hiddenLayers(width, width, width, width).steps(10)
                        .timeFrequencies(TimeFrequencies.POWERS_OF_TWO).build();
            }
            case DIFFUSION -> DiffusionDecoder.builder().hiddenLayers(64, 64, 64, 64).referenceParameterization()
                    .build();
            case GAUSSIAN_PPO -> new IdentityDecoder();
        };
    }

    /**
     * The stages with the reference's per-stage knobs for this method and task.
     *
     * @return the schedule
     */
    public FixedSchedule schedule() {
        long[] steps = stageSteps();
        List<Stage> stages = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            stages.add(stage(k, steps[k]));
        }
        return StageSchedule.of(stages);
    }

    private Stage stage(int k, long steps) {
        if (method == Method.GAUSSIAN_PPO) {
            return new Stage(steps, 0, 0, 0.1, 1e6, 3e-4, 0.01, EncoderInit.FRESH);
        }
        boolean flow = method == Method.FLOW;
        int epochs = k == 0 ? 0 : 50;
        double beta = k == 0 ? StageSchedule.FIRST_STAGE_KL_BETA : StageSchedule.LATER_STAGE_KL_BETA;
        double clip = (k == 0 || !flow) && !settings.humanoid ? 0.15 : 0.3;
        double gradNorm = 0.5;
        double lr = flow || k == 0 ? 1e-3 : k == 1 ? 3e-4 : 1e-4;
        double entropy = 0.01;
        EncoderInit init = k == 0 || flow ? EncoderInit.FRESH : EncoderInit.WARM_START;
        switch (settings.name) {
            case "FingerTurnHard" -> {
                if (flow && k > 0) {
                    gradNorm = 1.0;
                    beta = k == 3 ? 0.01 : beta;
                }
            }
            case "WalkerWalk" -> {
                if (flow && k > 0) {
                    init = EncoderInit.PRIOR_WARM_VALUE;
                    beta = 3e-3;
                    gradNorm = 1.0;
                    lr = k == 3 ? 3e-4 : lr;
                }
            }
            case "FishSwim" -> entropy = !flow && k == 3 ? 0.005 : entropy;
            case "HopperStand" -> init = !flow && k == 1 ? EncoderInit.FRESH : init;
            case "HumanoidStand" -> lr = k > 0 ? 3e-4 : lr;
            default -> { }
        }
        if (settings.humanoid) {
            beta = 0; // the reference's humanoid encoder is Brax PPO, with no latent regularizer
        }
        if (k > 0 && laterInit != null) {
            init = laterInit;
        }
        return new Stage(steps, epochs, beta, clip, gradNorm, lr, entropy, init);
    }

    /**
     * The refits: {@link #refitEpisodes()} stochastic episodes from the stage's best encoder, a fresh decoder, batch
     * 8192 at 3e-4 with 8 samples per action ({@link #refitSamplesPerAction(int)}), 10% of episodes held out, the best
     * validation kept, no early stop;
     * flow matching {@link #refitSteps()} steps validated every 100 (FingerSpin and FishSwim selected by the endpoint
     * MSE), diffusion the stage's 50 epochs; targets clipped to +-3 (not HopperStand with flow matching).
     *
     * @return the refit settings
     */
    public DecoderRefit decoderRefit() {
        boolean flow = method == Method.FLOW;
        DecoderRefit.Builder refit = DecoderRefit.builder().episodes(refitEpisodes()).collectFromBest(true)
                .freshDecoder(true).batchSize(8192).learningRate(3e-4).samplesPerAction(refitSamples)
                .earlyStopping(0.1, 0)
                .splitByEpisode(!settings.humanoid).minUpdates(0)
                .targetClip(settings.humanoid ? 1.0 : flow && settings.name.equals("HopperStand") ? Double.NaN : 3.0);
        if (flow) {
            refit.trainSteps(refitSteps()).validationInterval(100);
            if (settings.name.equals("FingerSpin") || settings.name.equals("FishSwim")) {
                refit.selection(FitOptions.Selection.ENDPOINT_MSE);
            }
        }
        return refit.build();
    }

    /**
     * A trainer builder with everything of this preset but the envs: optimizer, decoder, schedule, refit, squashing,
     * bounded latent, evaluation interval and target return. Set {@code env(...)} with {@link #envs()} sub-envs and
     * {@code evalEnv(...)} with {@link #evalEpisodes()}.
     *
     * @return a new builder
     */
    public GoRL.Builder builder() {
        return GoRL.builder().optimizer(ppo().build()).decoder(decoder()).schedule(schedule())
                .decoderRefit(decoderRefit()).actionSquashing(actionSquashing()).evalEvery(evalEvery())
                .stochasticEvaluation(stochasticEvaluation()).boundedLatent(boundedLatent()).targetReturn(targetReturn());
    }

    /**
     * What this preset set, for the command line to print and for run notes.
     *
     * @return ordered name-value pairs
     */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("method", method.name().toLowerCase(Locale.ROOT));
        m.put("scale", scale);
        m.put("envs", envs + (envs == PAPER_ENVS ? "" : " (paper: 2048)"));
        m.put("iterationSteps", iterationSteps() + " = " + envs + " envs x 16 sequences x 30 steps (paper: 983,040)");
        m.put("minibatch", envs * SEQUENCES_PER_ENV / MINIBATCHES + " sequences x 30 steps, 32 per pass, 16 passes");
        long[] steps = stageSteps();
        List<Long> list = new ArrayList<>();
        long total = 0;
        for (long s : steps) {
            list.add(s);
            total += s;
        }
        m.put("stageSteps", list + " (total " + total + ")");
        if (method != Method.GAUSSIAN_PPO) {
            m.put("refitEpisodes", refitEpisodes() + (settings.humanoid ? " (reference: 1024)" : " (paper: 4096)"));
            m.put("refit", method == Method.FLOW ? refitSteps() + " steps (paper: 50,000"
                    + (refitStepsSet > 0 ? "; scaled: " + scaledRefitSteps() : "") + ")" : "50 epochs");
            if (refitSamples != PAPER_REFIT_SAMPLES) {
                m.put("refitSamples", refitSamples + " per action (paper: " + PAPER_REFIT_SAMPLES + ")");
            }
            if (laterInit != null) {
                PaperPreset reference = new PaperPreset(task, settings, method, scale, envs, refitSamples, null, 0);
                m.put("laterEncoderInit", laterInit + " (paper: " + reference.schedule().stage(1).encoderInit() + ")");
            }
        }
        m.put("actions", settings.humanoid ? "clip (bounded; the decoder learns the bounded action)" : "tanh");
        if (boundedLatent()) {
            m.put("latent", "tanh-bounded: the decoder receives tanh(u), u ~ N(mu, sigma)");
        }
        m.put("evalEpisodes", evalEpisodes() + (settings.humanoid ? " (stochastic)" : ""));
        m.put("evalEvery", evalEvery());
        m.put("targetReturn", targetReturn());
        return m;
    }

    @Override
    public String toString() {
        return "PaperPreset" + describe();
    }

    /** The per-task settings of the reference that every method shares; {@code humanoid}: its humanoid profile. */
    private record Task(String name, double gamma, double targetReturn, long[] stageSteps, boolean humanoid) {

        Task(String name, double gamma, double targetReturn) {
            this(name, gamma, targetReturn, STAGE_STEPS, false);
        }

        static final List<Task> ALL = List.of(new Task("CheetahRun", 0.995, 900), new Task("FingerSpin", 0.95, 950),
                new Task("FingerTurnHard", 0.995, 870), new Task("FishSwim", 0.995, 646),
                new Task("HopperStand", 0.995, 833), new Task("WalkerWalk", 0.995, 958),
                new Task("HumanoidStand", 0.995, 900, STAGE_STEPS, true),
                new Task("HumanoidRun", 0.995, 300, HUMANOID_RUN_STAGE_STEPS, true));

        static Task of(String name) {
            for (Task t : ALL) {
                if (t.name.equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("the paper preset covers the six DMControl tasks of the paper and the"
                    + " reference's two humanoid tasks " + ALL.stream().map(Task::name).toList() + ", got '" + name
                    + "'");
        }
    }
}
