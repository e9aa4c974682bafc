package io.github.gorl.core;

import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.Validate;
import io.github.gorl.core.optim.ppo.Ppo;
import io.github.gorl.core.optim.sac.Sac;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Settings sized for a CPU (2 cores): budgets, PPO and SAC options and decoder refits that learn the built-in tasks in
 * minutes. The builders' own defaults ({@code Ppo.latent()}, {@code Sac.latent()}, {@link DecoderRefit#defaults()})
 * are the paper's GPU scale (2048 envs, a 5x256 critic, 16 epochs of 32 minibatches, 10M refit pairs), which takes
 * days on a CPU. The command line uses these presets; in code:
 *
 * <pre>{@code
 * Preset preset = Preset.cpu("CheetahRun");
 * GoRL agent = GoRL.builder()
 *     .env(DmControl.vector("CheetahRun", preset.envs())).evalEnv(DmControl.vector("CheetahRun", 8))
 *     .optimizer(preset.ppo().build())
 *     .schedule(preset.schedule())
 *     .decoderRefit(preset.decoderRefit())
 *     .build();
 * }</pre>
 *
 * <p>Every method returns a new builder or value, so a preset can be adjusted before building
 * ({@code preset.ppo().learningRate(3e-4)}).
 *
 * @param task the task name, case-insensitive (Pendulum, BimodalBandit, or a DMControl task such as CheetahRun)
 * @param steps total encoder env steps of a run
 * @param envs parallel training envs
 * @param decoderEpochs epochs per decoder refit
 * @param decoderData {@code (s, a)} pairs collected per decoder refit
 * @param decoderBatch decoder minibatch size
 * @param decoderMinUpdates fewest Adam updates per decoder refit ({@link DecoderRefit.Builder#minUpdates})
 * @param measuredStages whether the stages and refits take the settings measured for latent PPO on the DMControl
 *     tasks ({@link #cpu}: a KL weight of 0.01, clips 0.3 and 1.0 in every stage, later stages keeping the critic,
 *     refits from the stage's best encoder at a learning rate of 1e-3); otherwise the paper's per-stage knobs
 */
public record Preset(String task, long steps, int envs, int decoderEpochs, int decoderData, int decoderBatch,
        int decoderMinUpdates, boolean measuredStages) {

    /** Validates the fields. */
    public Preset {
        Validate.notNull("task", task);
        Validate.positive("steps", steps);
        Validate.positive("envs", envs);
        Validate.nonNegative("decoderEpochs", decoderEpochs);
        Validate.positive("decoderData", decoderData);
        Validate.positive("decoderBatch", decoderBatch);
        Validate.nonNegative("decoderMinUpdates", decoderMinUpdates);
    }

    /**
     * A preset with the paper's per-stage knobs ({@code measuredStages} false).
     *
     * @param task the task name
     * @param steps total encoder env steps
     * @param envs parallel training envs
     * @param decoderEpochs epochs per decoder refit
     * @param decoderData {@code (s, a)} pairs collected per decoder refit
     * @param decoderBatch decoder minibatch size
     * @param decoderMinUpdates fewest Adam updates per decoder refit
     */
    public Preset(String task, long steps, int envs, int decoderEpochs, int decoderData, int decoderBatch,
            int decoderMinUpdates) {
        this(task, steps, envs, decoderEpochs, decoderData, decoderBatch, decoderMinUpdates, false);
    }

    /**
     * A preset with the refit floor of {@link DecoderRefit}'s default, 2,000 updates, and the paper's per-stage knobs.
     *
     * @param task the task name
     * @param steps total encoder env steps
     * @param envs parallel training envs
     * @param decoderEpochs epochs per decoder refit
     * @param decoderData {@code (s, a)} pairs collected per decoder refit
     * @param decoderBatch decoder minibatch size
     */
    public Preset(String task, long steps, int envs, int decoderEpochs, int decoderData, int decoderBatch) {
        this(task, steps, envs, decoderEpochs, decoderData, decoderBatch, DecoderRefit.DEFAULT_MIN_UPDATES);
    }

    /**
     * This preset for a run of {@code totalSteps} encoder env steps (the command line's {@code --steps}). A run
     * shorter than {@link #steps()} by the factor {@code f = totalSteps / steps()} gets smaller refits: {@code
     * decoderEpochs * f} epochs (at least 1) and a floor of {@code decoderMinUpdates * f} updates (at least 1) on
     * {@code decoderData * sqrt(f)} pairs (at least four decoder batches). Updates set a refit's cost, so they shrink
     * with the run; the data shrinks more slowly because a refit on fewer pairs lost more of the policy it copied
     * (docs/training.md, "Short runs"). A longer run keeps the preset's epochs and data, and its refit floor grows
     * with the budget, {@code decoderMinUpdates * f} updates up to {@value #LONG_RUN_MIN_UPDATES}: a policy trained
     * for longer is finer, and on CheetahRun at 15M steps the CPU preset's 600 updates lost it at the first refit
     * where 2,000 kept it (docs/training.md, "Longer runs").
     *
     * @param totalSteps encoder env steps of the run, {@code > 0}
     * @return the preset for that budget
     */
    public Preset withSteps(long totalSteps) {
        Validate.positive("totalSteps", totalSteps);
        double f = (double) totalSteps / steps;
        if (totalSteps >= steps) {
            int floor = (int) Math.max(decoderMinUpdates,
                    Math.min(LONG_RUN_MIN_UPDATES, Math.round(decoderMinUpdates * f)));
            return new Preset(task, totalSteps, envs, decoderEpochs, decoderData, decoderBatch, floor, measuredStages);
        }
        int epochs = (int) Math.min(decoderEpochs, Math.max(1, Math.round(decoderEpochs * f)));
        int data = (int) Math.min(decoderData, Math.max(4L * decoderBatch, Math.round(decoderData * Math.sqrt(f))));
        int floor = (int) Math.min(decoderMinUpdates, Math.max(1, Math.round(decoderMinUpdates * f)));
        return new Preset(task, totalSteps, envs, epochs, data, decoderBatch, floor, measuredStages);
    }

    /**
     * The CPU preset of a task for latent PPO (and the FPO and DPPO baselines): Pendulum 300k steps on 16 envs,
     * BimodalBandit 60k on 64, every other task (the DMControl tasks) 3M on 16 with refits of at least
     * {@value #DMCONTROL_MIN_UPDATES} updates.
     *
     * @param task the task name, case-insensitive
     * @return the preset
     */
    public static Preset cpu(String task) {
        Validate.notNull("task", task);
        return switch (key(task)) {
            case "pendulum" -> new Preset(task, 300_000, 16, 30, 40_000, 1024);
            case "bimodalbandit" -> new Preset(task, 60_000, 64, 30, 20_000, 1024);
            default -> new Preset(task, 3_000_000, 16, 20, 100_000, 4096, DMCONTROL_MIN_UPDATES, true);
        };
    }

    /**
     * The refit floor of the DMControl tasks' CPU preset: on CheetahRun, 600 Adam updates at 1e-3 took about a
     * minute per refit where 2,000 took three, and under this preset every stage ended above the one before it on
     * seeds 1-3 (docs/training.md, "The DMControl CPU preset").
     */
    public static final int DMCONTROL_MIN_UPDATES = 600;

    /**
     * The most a longer run raises a preset's refit floor to ({@link #withSteps}): 2,000 updates, the floor that kept
     * the policy across CheetahRun's first refit after a 5M-step stage where 600 lost it (seed 3: 486 before, 19
     * after with 600, 507 with 2,000).
     */
    public static final int LONG_RUN_MIN_UPDATES = 2_000;

    /**
     * The CPU preset of a task for latent SAC, which takes one gradient update per env step and so needs far fewer
     * steps than PPO, each costing more on a CPU: Pendulum 20k steps on 4 envs, BimodalBandit 5k, other tasks 200k.
     *
     * @param task the task name, case-insensitive
     * @return the preset
     */
    public static Preset cpuSac(String task) {
        Preset ppo = cpu(task);
        return switch (key(task)) {
            case "pendulum" -> new Preset(task, 20_000, 4, ppo.decoderEpochs, 20_000, ppo.decoderBatch);
            case "bimodalbandit" -> new Preset(task, 5_000, 4, ppo.decoderEpochs, 5_000, ppo.decoderBatch);
            default -> new Preset(task, 200_000, 4, ppo.decoderEpochs, ppo.decoderData, ppo.decoderBatch);
        };
    }

    /**
     * Latent PPO for this task on a CPU: a 64x64 critic, unroll 64, 8 minibatches, 8 epochs; reward scaling 0.1 and
     * discount 0.99 on Pendulum (rewards about -16 per step), whose critic is also kept across stages (a fresh one
     * destabilized the short later stages: seed 1, 300k steps, final -230 kept against -389 reset); reward scaling 1
     * and unroll 4 on BimodalBandit; reward scaling 10 (the paper's) elsewhere.
     *
     * @return a new builder
     */
    public Ppo.Builder ppo() {
        Ppo.Builder ppo = Ppo.latent().criticLayers(criticLayers()).unrollLength(unrollLength())
                .minibatches(minibatches()).epochs(epochs()).rewardScaling(rewardScaling()).gamma(gamma());
        return key(task).equals("pendulum") ? ppo.resetCriticOnStage(false) : ppo;
    }

    /**
     * Latent SAC for this task on a CPU: 64x64 networks, a 1k-step warm-up and a 100k buffer on the pure-Java tasks
     * (the buffer is cleared each stage, so each stage warms up again), SAC's usual 256x2 networks, a 5k warm-up and
     * a 1M buffer elsewhere.
     *
     * @return a new builder
     */
    public Sac.Builder sac() {
        return switch (key(task)) {
            case "pendulum", "bimodalbandit" -> Sac.latent().actorLayers(64, 64).criticLayers(64, 64)
                    .learningStarts(1_000).bufferCapacity(100_000);
            default -> Sac.latent().learningStarts(5_000).bufferCapacity(1_000_000);
        };
    }

    /**
     * The paper's four-stage schedule scaled to {@link #steps()}, with {@link #decoderEpochs()} per refit and this
     * task's {@link #klBeta()}.
     *
     * @return the schedule
     */
    public FixedSchedule schedule() {
        return schedule(steps);
    }

    /**
     * The paper's four-stage schedule scaled to {@code totalSteps}, with {@link #decoderEpochs()} per refit and this
     * task's {@link #klBeta()} (the command line's schedule for {@code --steps N}).
     *
     * @param totalSteps encoder env steps of the whole run, {@code > 0}
     * @return the schedule
     */
    public FixedSchedule schedule(long totalSteps) {
        return tune(StageSchedule.scaled(totalSteps));
    }

    /**
     * This task's stage settings applied to any schedule (the command line's {@code --stage-steps} or {@code --stages}
     * schedules): {@link #decoderEpochs()} per refit, the {@link #klBeta()} where the preset sets one, and on the
     * DMControl tasks the {@link #clip()} and {@link #gradNormClip()} in every stage and {@link #laterEncoderInit()}
     * for every stage after the first.
     *
     * @param schedule the schedule to adjust
     * @return a new schedule
     */
    public FixedSchedule tune(FixedSchedule schedule) {
        Validate.notNull("schedule", schedule);
        FixedSchedule tuned = schedule.decoderEpochs(decoderEpochs);
        OptionalDouble beta = klBeta();
        if (beta.isPresent()) {
            tuned = tuned.klBeta(beta.getAsDouble());
        }
        if (measuredStages) {
            for (int i = 0; i < tuned.size(); i++) {
                EncoderInit init = i == 0 ? tuned.stage(i).encoderInit() : laterEncoderInit();
                tuned = tuned.withStage(i, s -> s.withClips(clip(), gradNormClip()).withEncoderInit(init));
            }
        }
        return tuned;
    }

    /**
     * The PPO ratio clip of every stage on the DMControl tasks: 0.3, the paper's later-stage clip, also in stage 0
     * (the paper's 0.15 there). With 0.15 and a gradient-norm clip of 0.5, GoRL's stage 0 on CheetahRun (seed 1)
     * reached 444 at 1M steps; with 0.3 and 1.0, the Gaussian baseline's, it reached 513, and stage 0 is then the
     * Gaussian PPO baseline step for step (docs/training.md, "The DMControl CPU preset"). Pendulum and BimodalBandit
     * keep the paper's per-stage clips.
     *
     * @return 0.3
     */
    public double clip() {
        return StageSchedule.LATER_STAGE_CLIP;
    }

    /**
     * The encoder's gradient-norm clip of every stage on the DMControl tasks ({@link #clip()}).
     *
     * @return 1.0
     */
    public double gradNormClip() {
        return StageSchedule.LATER_STAGE_GRAD_NORM;
    }

    /**
     * How the encoder starts every stage after the first on the DMControl tasks: {@link EncoderInit#PRIOR_WARM_VALUE},
     * the policy reset to {@code N(0, I)} with the critic and observation statistics kept (the reference's WalkerWalk
     * flow stages). The refit copies the policy into the decoder, so the value of the state is unchanged and a fresh
     * critic would only give the first updates of a stage noise for advantages. Pendulum keeps its critic through
     * {@link #ppo()}; BimodalBandit resets it.
     *
     * @return the encoder start of later stages
     */
    public EncoderInit laterEncoderInit() {
        return EncoderInit.PRIOR_WARM_VALUE;
    }

    /**
     * The KL-to-prior weight of every stage, where this task's preset replaces the paper's per-stage weights
     * ({@code 5e-4}, then {@code 1e-3}): 0.01 on Pendulum. With the paper's weights the Pendulum encoder of a later
     * stage drifted far from the prior (KL up to 10 nats, against under 1 in stage 0) into latents the decoder was
     * never trained on, and the deterministic policy swung between -150 and -670 (seed 1: final -249, best -120);
     * with 0.01 the three seeds of {@code gorl train} end within 16 of their best (docs/training.md, "The main
     * job").
     *
     * @return the weight, or empty for the paper's per-stage weights
     */
    public OptionalDouble klBeta() {
        return key(task).equals("pendulum") || measuredStages ? OptionalDouble.of(0.01) : OptionalDouble.empty();
    }

    /**
     * The KL-to-prior weight of the Gaussian PPO baseline (the identity decoder, one stage): 0.01 on the DMControl
     * tasks, 0 on Pendulum and BimodalBandit. The baseline clips its actions to the bounds, so without a weight
     * nothing holds its Gaussian near them: on CheetahRun (3M steps, seed 1) its entropy rose to 22.3 nats and its KL
     * to N(0, I) to 48,000, a policy acting bang-bang through the clip. With 0.01 the best returns of seeds 1-3 were
     * 689, 563 and 631 against 338, 251 and 508 (docs/training.md, "The DMControl CPU preset").
     *
     * @return the weight
     */
    public double gaussianKlBeta() {
        return switch (key(task)) {
            case "pendulum", "bimodalbandit" -> 0.0;
            default -> 0.01;
        };
    }

    /**
     * The refit settings: {@link #decoderData()} pairs at batch {@link #decoderBatch()}, at least
     * {@link #decoderMinUpdates()} updates at {@link #decoderLearningRate()}, the rest at their defaults.
     *
     * @return the settings
     */
    public DecoderRefit decoderRefit() {
        return DecoderRefit.builder().dataSize(decoderData).batchSize(decoderBatch).minUpdates(decoderMinUpdates)
                .learningRate(decoderLearningRate()).collectFromBest(measuredStages).build();
    }

    /**
     * The decoder's Adam learning rate in refits: 1e-3 on Pendulum, the paper's 3e-4 elsewhere. On Pendulum a refit
     * of 667 updates (a 100k-step run's, {@link #withSteps}) at 3e-4 lost the stage's policy (evaluations -589 to
     * -881, -653 to -814, seeds 1 and 2), and kept it at 1e-3 (-589 to -605, -653 to -669).
     *
     * @return the learning rate
     */
    public double decoderLearningRate() {
        return key(task).equals("pendulum") || measuredStages ? 1e-3 : DecoderRefit.DEFAULT_LEARNING_RATE;
    }

    /**
     * The critic widths of the PPO-style optimizers.
     *
     * @return {@code {64, 64}}
     */
    public int[] criticLayers() {
        return new int[] {64, 64};
    }

    /**
     * Steps per sub-env and rollout: 4 on BimodalBandit (one-step episodes), else 64.
     *
     * @return the unroll length
     */
    public int unrollLength() {
        return key(task).equals("bimodalbandit") ? 4 : 64;
    }

    /**
     * Minibatches per epoch.
     *
     * @return 8
     */
    public int minibatches() {
        return 8;
    }

    /**
     * Passes over each rollout.
     *
     * @return 8
     */
    public int epochs() {
        return 8;
    }

    /**
     * The reward factor: 0.1 on Pendulum, 1 on BimodalBandit, 10 (the paper's, rewards in {@code [0, 1]}) elsewhere.
     *
     * @return the factor
     */
    public double rewardScaling() {
        return switch (key(task)) {
            case "pendulum" -> 0.1;
            case "bimodalbandit" -> 1.0;
            default -> 10;
        };
    }

    /**
     * The discount: 0.99 on Pendulum (200-step episodes), the paper's 0.995 elsewhere.
     *
     * @return the discount
     */
    public double gamma() {
        return key(task).equals("pendulum") ? 0.99 : 0.995;
    }

    private static String key(String task) {
        return task.toLowerCase(Locale.ROOT);
    }
}
