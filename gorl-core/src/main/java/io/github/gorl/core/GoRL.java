package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.gorl.api.ActionSquashing;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EncoderInit;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.FixedSchedule;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.LatentPolicyOptimizer;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.NonFiniteException;
import io.github.gorl.api.NonFinitePolicy;
import io.github.gorl.api.Phase;
import io.github.gorl.api.Policy;
import io.github.gorl.api.Stage;
import io.github.gorl.api.StageSchedule;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.api.TrainingProgress;
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.core.optim.ComputeThreads;
import io.github.gorl.core.train.FileErrors;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * A GoRL agent: a latent policy optimizer and a generative decoder trained in alternating stages on a
 * vector environment (Algorithm 1 of the GoRL paper).
 *
 * <pre>{@code
 * GoRL agent = GoRL.builder()
 *     .env(Envs.threaded(i -> new Pendulum(), 16))
 *     .evalEnv(Envs.sync(i -> new Pendulum(), 8))
 *     .optimizer(Ppo.latent().build())
 *     .decoder(FlowMatchingDecoder.builder().build())
 *     .schedule(StageSchedule.scaled(400_000))
 *     .seed(1)
 *     .build();
 * TrainingResult result = agent.train();
 * float[] action = agent.policy().act(observation);
 * }</pre>
 *
 * <p>The stage loop: the {@link StageSchedule} names each stage {@code k} in turn, and the stage runs
 * <ol>
 *   <li>if {@code k > 0} and the stage has decoder epochs, the <em>decoder phase</em>: collect {@code (s, a)} pairs
 *       from rollouts of the composed policy {@code a = g_phi(s, eps), eps ~ pi_theta(.|s)}, and refine the decoder
 *       on them with the fixed prior {@code N(0, I)} as its source, the encoder frozen; then reset the encoder to the
 *       prior, {@code pi_theta(eps|s) = N(0, I)}. Because the refined decoder maps {@code N(0, I)} to the previous
 *       policy's actions, the composed policy continues where it was;</li>
 *   <li>the <em>encoder phase</em>: optimize the latent policy with the decoder frozen, on the
 *       {@link DecodedVectorEnv}, with the stage's KL weight, clip and gradient-norm clip, until its steps are spent
 *       or the schedule ends it after an evaluation.</li>
 * </ol>
 * Stage 0 starts from the identity decoder. With {@code decoderSource(LEARNED_PRIOR)} the refit's source is a learned
 * state-conditional Gaussian instead of {@code N(0, I)} (see {@link DecoderSource#LEARNED_PRIOR}). A later stage
 * with 0 decoder epochs neither refits the decoder nor resets the encoder: the encoder simply keeps learning on the
 * frozen decoder.
 *
 * <p>The agent owns the optimizer and the decoder it was built with, and closes them in {@link #close()}; the
 * environments belong to the caller. Its configuration is fixed when {@link Builder#build()} returns.
 */
public final class GoRL implements AutoCloseable {

    /** The {@code trainer} entry of {@code run.json} and checkpoints that records {@link Builder#boundedLatent}. */
    static final String BOUNDED_LATENT = "boundedLatent";

    /** The configuration {@link Builder#build()} copied: changing the builder afterwards changes no built agent. */
    private record Config(VectorEnv env, VectorEnv evalEnv, StageSchedule schedule, Device device, long seed,
            long evalEvery, DecoderRefit refit, DecoderSource decoderSource, Path runDirectory, long checkpointEvery,
            NonFinitePolicy nonFinitePolicy, List<TrainingListener> listeners, ActionSquashing squashing,
            double targetReturn, int rolloutThreads, int updateThreads, int refitThreads,
            boolean stochasticEvaluation, boolean boundedLatent) {}

    private final Config config;
    private final VectorEnv env;
    private final StageSchedule schedule;
    private final LatentPolicyOptimizer optimizer;
    private final GenerativeDecoder decoder;
    private final NDManager manager;
    private final TrainingListener listener;
    private final RunDirectory runDirectory;
    private final ComposedPolicy policy;
    private long envSteps;
    // Where train() starts: the beginning, or the progress a loaded checkpoint recorded.
    private Progress progress = Progress.START;
    private Path lastCheckpoint;
    private boolean closed;
    // The stage's best-evaluated encoder and its return, when the refit collects from it.
    private EncoderSnapshot bestEncoder;
    private double bestReturn = Double.NaN;
    // Set by requestStop() from any thread (a signal handler's); read at the safe points of train().
    private volatile boolean stopRequested;

    /**
     * The training progress a checkpoint records. {@code stage} is the stage in progress ({@code stageEnd >= 0}: its
     * refit is done and its encoder phase runs from {@code stageStart} to at most {@code stageEnd}) or the next one
     * to ask the schedule for ({@code stageEnd == -1}); {@code stages} holds the stages started. The rest is what the
     * schedule sees ({@link TrainingProgress}) and the next evaluation step. {@code wallSeconds} is the training's
     * wall time up to this point, over all the {@code train()} calls that led to it ({@code NaN} in a checkpoint
     * written before it was recorded).
     */
    private record Progress(int stage, long stageStart, long stageEnd, long nextEvaluation, List<Stage> stages,
            List<Evaluation> evaluations, FitResult lastRefit, double klToPrior, boolean finished,
            JsonNode schedule, double wallSeconds) {
        static final Progress START = new Progress(0, 0, -1, -1, List.of(), List.of(), null, Double.NaN, false, null,
                0);

        /** Whether training began: a stage in progress, one finished, or the whole run. */
        boolean started() {
            return stage > 0 || stageEnd >= 0 || finished;
        }
    }

    private GoRL(Config c, LatentPolicyOptimizer optimizer, GenerativeDecoder decoder) {
        this.config = c;
        this.env = c.env();
        this.schedule = c.schedule();
        // First, while nothing is allocated: an unwritable run directory fails the build at once.
        this.runDirectory = c.runDirectory() == null ? null : RunDirectory.create(c.runDirectory());
        List<TrainingListener> all = new ArrayList<>(c.listeners());
        if (runDirectory != null) {
            all.add(runDirectory.metricsWriter());
        }
        this.listener = TrainingListener.all(all);
        this.optimizer = optimizer;
        // The learnable-prior ablation composes the decoder with the prior; everything else sees one decoder.
        this.decoder = c.decoderSource() == DecoderSource.LEARNED_PRIOR ? new LearnedPriorDecoder(decoder) : decoder;
        this.manager = NDManager.newBaseManager(c.device());
        try {
            EnvSpec spec = env.spec();
            optimizer.initialize(spec.latent(spec.actionDim()), c.device(), c.seed());
            this.decoder.initialize(spec, c.device(), c.seed() + 1);
            this.decoder.resetToIdentity();
            optimizer.resetToPrior();
            checkContracts(spec);
            this.policy = new ComposedPolicy(spec, optimizer, this.decoder, manager, c.squashing(), c.boundedLatent());
            if (runDirectory != null) {
                runDirectory.writeRunJson(describe());
            }
        } catch (RuntimeException e) {
            // Free what this agent made and owns: nothing of it is reachable by the caller.
            closeQuietly(e);
            throw e;
        }
    }

    private void closeQuietly(RuntimeException cause) {
        for (AutoCloseable part : new AutoCloseable[] {optimizer, decoder, manager, runDirectory}) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Rejects a decoder or optimizer that breaks its contract before any training step, on a dummy batch of 3:
     * {@code decode(s, eps)} must have shape {@code [3, actionDim]} and, right after {@code resetToIdentity()},
     * equal {@code eps} exactly; {@code act(s, true)} must have shape {@code [3, latentDim]}. Deterministic calls
     * only, so no random stream advances.
     */
    private void checkContracts(EnvSpec spec) {
        int rows = 3;
        int obsDim = spec.observationDim();
        int actDim = spec.actionDim();
        float[] obs = new float[rows * obsDim];
        float[] eps = new float[rows * actDim];
        for (int k = 0; k < obs.length; k++) {
            obs[k] = (float) Math.sin(k + 1);
        }
        for (int k = 0; k < eps.length; k++) {
            eps[k] = (float) Math.cos(3 * k + 1) * 1.5f;
        }
        String decoderName = "decoder '" + decoder.name() + "' (" + decoder.getClass().getName() + ")";
        String optimizerName = "optimizer '" + optimizer.name() + "' (" + optimizer.getClass().getName() + ")";
        try (NDManager scope = manager.newSubManager()) {
            NDArray s = scope.create(obs, new Shape(rows, obsDim));
            NDArray decoded;
            try {
                decoded = decoder.decode(s, scope.create(eps, new Shape(rows, actDim)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(decoderName + " failed to decode a dummy batch of observations "
                        + "[" + rows + ", " + obsDim + "] and latents [" + rows + ", " + actDim + "]: " + e, e);
            }
            Shape expected = new Shape(rows, actDim);
            if (decoded == null || !decoded.getShape().equals(expected)) {
                throw new IllegalArgumentException(decoderName + " violates the GenerativeDecoder contract: decode("
                        + "observations [" + rows + ", " + obsDim + "], latents [" + rows + ", " + actDim
                        + "]) must return shape " + expected + ", got " + (decoded == null ? "null"
                        : decoded.getShape()));
            }
            if (decoded.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(decoderName + " violates the GenerativeDecoder contract: decode "
                        + "must return float32 actions, got " + decoded.getDataType());
            }
            float[] actions = decoded.toFloatArray();
            for (int k = 0; k < eps.length; k++) {
                if (Float.floatToIntBits(actions[k]) != Float.floatToIntBits(eps[k])) {
                    throw new IllegalArgumentException(decoderName + " violates the GenerativeDecoder contract: "
                            + "after resetToIdentity(), decode(s, eps) must equal eps exactly, but at row "
                            + k / actDim + ", column " + k % actDim + " eps is " + eps[k] + " and decode gave "
                            + actions[k]);
                }
            }
            NDArray latents;
            try {
                latents = optimizer.act(s, true);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(optimizerName + " failed to act on a dummy batch of observations "
                        + "[" + rows + ", " + obsDim + "]: " + e, e);
            }
            Shape expectedLatents = new Shape(rows, spec.latent(actDim).actionDim());
            if (latents == null || !latents.getShape().equals(expectedLatents)) {
                throw new IllegalArgumentException(optimizerName + " violates the LatentPolicyOptimizer contract: "
                        + "act(observations [" + rows + ", " + obsDim + "], true) must return shape "
                        + expectedLatents + ", got " + (latents == null ? "null" : latents.getShape()));
            }
        }
    }

    /**
     * A builder with the paper's GoRL (flow matching) on {@code task}, as the authors' code runs it: see
     * {@link PaperPreset}, which also scales it and says how many envs to create. Set the envs:
     * {@code GoRL.paper("CheetahRun").env(DmControl.vector("CheetahRun", 2048)).evalEnv(DmControl.vector("CheetahRun",
     * 128))}.
     *
     * @param task one of the paper's six DMControl tasks
     * @return {@code PaperPreset.of(task).envs(2048).builder()}
     */
    public static Builder paper(String task) {
        return PaperPreset.of(task).envs(2048).builder();
    }

    /**
     * Starts a builder.
     *
     * @return a builder with the documented defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the stages the schedule gives, or, after {@link #load} of a checkpoint written during training, the rest
     * of them: finished stages are skipped, a stage in progress continues its encoder phase with the remaining steps
     * (its decoder refit is not redone), and the learning curve continues the saved evaluations. A resumed run's wall
     * clock continues from its checkpoint: the result's {@code wallSeconds} and {@code metrics.csv}'s
     * {@code wall_seconds} count the training before the interruption (up to the checkpoint) and after it, not the
     * work the interruption threw away.
     *
     * @return the final and best evaluation returns, the steps taken and the learning curve
     * @throws IllegalStateException if a non-finite observation, reward or loss stops training (a
     *     {@link NonFiniteException} with the global env step and the sub-env; the message names the env step, the
     *     sub-env where known and the last good checkpoint, or says that none was written yet), or if the schedule
     *     answers an invalid stage (the message names the stage and the value)
     * @throws CancellationException if training stopped at a safe point after {@link #requestStop()}, having written
     *     a checkpoint into the run directory (the message names it and the env step); {@link #load} of it and
     *     {@code train()} continue the run
     * @throws java.io.UncheckedIOException if the run directory cannot be written (a full disk): the message gives the
     *     operating system's reason; the previous checkpoint is intact and no temporary file is left
     */
    public TrainingResult train() {
        requireOpen();
        Run run = new Run(progress);
        // A resumed run's clock continues from its checkpoint: wall_seconds and the result count the whole run.
        double before = run.resumed() ? progress.wallSeconds() : 0;
        if (runDirectory != null) {
            before = runDirectory.openMetrics(run.resumed(), envSteps, before);
        }
        run.startClock(Double.isNaN(before) ? 0 : before);
        listener.onTrainingStart(env.spec(), schedule);
        // PyTorch's thread count is one per process: set for this run's kinds of work, restored when it ends.
        int updatesBefore = ComputeThreads.configureUpdates(config.updateThreads());
        int threadsBefore = ComputeThreads.switchTo(config.rolloutThreads());
        try {
            return stages(run);
        } finally {
            ComputeThreads.use(threadsBefore);
            ComputeThreads.configureUpdates(updatesBefore);
        }
    }

    private TrainingResult stages(Run run) {
        if (run.resumed()) {
            reseed();
        }
        // Algorithm 1: for each stage the schedule gives, refit the decoder (encoder frozen) and restart the encoder
        // (at the prior by default), then optimize the encoder (decoder frozen).
        for (Stage stage = run.resumeStage(); stage != null; stage = run.nextStage()) {
            int k = run.stageIndex();
            listener.onStageStart(k, stage, envSteps);
            if (!run.inEncoderPhase()) {
                if (k > 0 && stage.decoderEpochs() > 0) {
                    int rolloutCount = ComputeThreads.switchTo(config.refitThreads());
                    try {
                        run.lastRefit = refitDecoder(k, stage, run);
                    } finally {
                        ComputeThreads.use(rolloutCount);
                    }
                    startEncoder(stage);
                    run.evaluate(k);
                } else if (k == 0) {
                    startEncoder(stage);
                    run.evaluate(0);
                } else {
                    forgetBestEncoder();
                }
                run.beginEncoderPhase(stage);
            }
            encoderPhase(k, stage, run);
            if (!run.evaluatedAt(k, envSteps)) {
                run.evaluate(k);
            }
        }
        return finish(run);
    }

    /** Starts the stage's encoder as the stage says; the stage's best-encoder tracking starts over. */
    private void startEncoder(Stage stage) {
        optimizer.startStage(stage.encoderInit());
        forgetBestEncoder();
    }

    private void forgetBestEncoder() {
        bestEncoder = null;
        bestReturn = Double.NaN;
    }

    /** After an evaluation in a stage: keeps a snapshot of the encoder when it is the stage's best so far. */
    private void trackBestEncoder(Evaluation e) {
        if (config.refit().collectFromBest() && (Double.isNaN(bestReturn) || e.meanReturn() > bestReturn)) {
            bestEncoder = EncoderSnapshot.of(optimizer);
            bestReturn = e.meanReturn();
        }
    }

    /**
     * The decoder phase of stage {@code k}: rollouts of the composed policy (with the previous stage's best encoder,
     * restored first, when the refit collects from it), then the decoder's supervised refit from the fixed prior (or
     * the configured source) to their actions, the encoder frozen.
     */
    private FitResult refitDecoder(int k, Stage stage, Run run) {
        listener.onPhaseStart(k, Phase.DECODER, envSteps);
        DecoderRefit refit = config.refit();
        if (refit.collectFromBest() && bestEncoder != null) {
            bestEncoder.restoreInto(optimizer);
        }
        // One collector per refit, seeded by the refit's index, so a resumed run collects the same data.
        RolloutCollector collector = new RolloutCollector(env, policy,
                config.seed() + 104729 + 1_000_003L * run.refitsBefore(k), config.squashing(), refit.targetClip());
        DecoderDataset data = guarded(() -> collectDecoderData(collector, refit), "collecting decoder data");
        RefitProbe probe = guarded(() -> RefitProbe.before(policy, data), "probing the data policy");
        if (refit.freshDecoder()) {
            if (!decoder.reinitialize(config.seed() + 7L * k)) {
                throw new IllegalStateException("decoderRefit freshDecoder(true) needs a decoder that can reinitialize"
                        + " itself, but decoder '" + decoder.name() + "' cannot; use freshDecoder(false)");
            }
        }
        long at = envSteps;
        FitOptions options = refit.fitOptions(stage.decoderEpochs(), config.seed() + 31L * k);
        FitResult fit = guarded(() -> decoder.fit(data, options, relocated(at, k, true, run)), "the decoder refit");
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("decoder_epochs", (double) fit.epochs());
        values.put("decoder_train_loss", fit.trainLoss());
        values.put("decoder_validation_loss", fit.bestValidationLoss());
        values.put("decoder_data_size", (double) data.size());
        if (refit.collectFromBest()) {
            values.put("decoder_data_encoder_return", bestReturn);
        }
        values.putAll(guarded(() -> probe.after(policy), "probing the refit decoder"));
        if (decoder instanceof LearnedPriorDecoder learned) {
            values.put("prior_nll", learned.lastPriorNll());
        }
        listener.onMetrics(new Metrics(envSteps, k, Phase.DECODER, values));
        return fit;
    }

    /**
     * The decoder's data: whole episodes (with each pair's episode, so a fit can split by episode, and the encoder
     * latent its action was decoded from) when the refit counts episodes, else {@code dataSize} pairs.
     */
    private DecoderDataset collectDecoderData(RolloutCollector collector, DecoderRefit refit) {
        if (refit.episodes() > 0) {
            if (config.decoderSource() != DecoderSource.PRIOR) {
                throw new IllegalStateException("decoderRefit episodes(" + refit.episodes() + ") collects for the "
                        + "paper's fixed prior; the " + config.decoderSource() + " ablation collects pairs: use "
                        + "dataSize");
            }
            RolloutCollector.Episodes episodes = collector.collectEpisodes(refit.episodes());
            return episodes.data().withEpisodes(episodes.episodeIds()).withEncoderLatents(episodes.latents());
        }
        return collector.collect(refit.dataSize(), refit.topEpisodeFraction(),
                config.decoderSource() != DecoderSource.PRIOR);
    }

    /**
     * The encoder phase of stage {@code k}: the optimizer learns on the latent env (the real env behind the frozen
     * decoder) in chunks that end at the clock's evaluations and checkpoints, until the stage's steps are spent or
     * the schedule ends the phase after an evaluation.
     */
    private void encoderPhase(int k, Stage stage, Run run) {
        optimizer.beginStage(stage);
        listener.onPhaseStart(k, Phase.ENCODER, envSteps);
        DecodedVectorEnv latentEnv = new DecodedVectorEnv(env, decoder, manager, config.squashing(),
                config.boundedLatent());
        while (envSteps < run.stageEnd) {
            long before = envSteps;
            long chunk = run.clock.nextEvent(run.stageEnd) - envSteps;
            envSteps += guarded(() -> optimizer.learn(latentEnv, Math.max(1, chunk), relocated(before, k, false, run)),
                    "the encoder phase of stage " + k, true);
            boolean inside = envSteps < run.stageEnd;
            boolean evaluated = run.clock.evaluationDue(envSteps) && inside;
            if (evaluated) {
                run.evaluate(k);
            }
            run.clock.passEvaluations(envSteps);
            if (evaluated && schedule.endEncoderPhase(run.view(k))) {
                break;
            }
            boolean checkpointed = false;
            if (run.clock.checkpointDue(envSteps) && inside) {
                checkpoint(run.snapshot());
                reseed();
                checkpointed = true;
            }
            run.clock.passCheckpoints(envSteps);
            stopIfRequested(run, checkpointed);
            if (evaluated) {
                listener.onPhaseStart(k, Phase.ENCODER, envSteps);
            }
        }
        run.endEncoderPhase();
    }

    /**
     * Asks training to stop at its next safe point, write a checkpoint there and throw a
     * {@link CancellationException} from {@link #train()}; safe to call from any thread, such as a signal handler's.
     * A request made before {@code train()} is honoured at its first safe point.
     *
     * <p>The safe points are where a resumed run can continue exactly as the uninterrupted one: with
     * {@code checkpointEvery(N)}, the run's own next checkpoint (at most {@code N} env steps away, or the next stage
     * boundary), so that {@link #load} and {@code train()} then give, bit for bit, what the uninterrupted run gives.
     * Without it, the end of the current learn chunk (the next evaluation or stage boundary), where one extra
     * checkpoint is written: the continued run is then that of a run which checkpointed there too (a checkpoint
     * restarts episodes and random streams, see {@code docs/checkpoints.md}). Without a run directory nothing is
     * saved. The trainer does not interrupt a learn chunk or a decoder refit in progress.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * At a safe point: stops as {@link #requestStop()} asked, when this is a point where the run checkpoints anyway
     * ({@code checkpointed}) or where it checkpoints never on its own ({@code checkpointEvery} 0).
     */
    private void stopIfRequested(Run run, boolean checkpointed) {
        if (!stopRequested || (!checkpointed && config.checkpointEvery() > 0)) {
            return;
        }
        stopRequested = false;
        if (runDirectory == null) {
            throw new CancellationException("training stopped on request at env step " + envSteps
                    + "; nothing was saved (no run directory)");
        }
        if (!checkpointed) {
            checkpoint(run.snapshot());
        }
        throw new CancellationException("training stopped on request at env step " + envSteps
                + "; checkpoint written: " + runDirectory.checkpoint().toAbsolutePath().normalize());
    }

    private TrainingResult finish(Run run) {
        List<Evaluation> evaluations = run.evaluations;
        double best = evaluations.stream().mapToDouble(Evaluation::meanReturn).max().orElse(Double.NaN);
        double wall = run.wallSeconds();
        TrainingResult result = new TrainingResult(
                evaluations.get(evaluations.size() - 1).meanReturn(), best, envSteps, wall, evaluations);
        progress = run.snapshot();
        if (runDirectory != null) {
            try {
                save(runDirectory.checkpoint());
                runDirectory.finish(result, env.spec().id(), config.targetReturn());
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the run directory " + runDirectory.path() + ": "
                        + FileErrors.reason(e) + "; " + lastGoodCheckpoint(), e);
            }
        }
        listener.onTrainingEnd(result);
        return result;
    }

    /**
     * The state of one {@link #train()} call: the stages, evaluations, refit and KL the schedule sees, the stage
     * boundaries, and the one clock of evaluations and checkpoints.
     */
    private final class Run {
        final List<Stage> stages;
        final List<Evaluation> evaluations;
        final Clock clock;
        final Evaluator evaluator;
        private final Progress from;
        FitResult lastRefit;
        double klToPrior;
        private boolean finished;
        private int stageIndex;
        long stageStart;
        long stageEnd;
        /** {@link System#nanoTime()} at which this run's wall clock reads 0 ({@link #startClock}). */
        private long clockZero;

        Run(Progress from) {
            if (from.started() && from.stages().isEmpty()) {
                throw new IllegalStateException("the loaded checkpoint was written before schedules were pluggable and"
                        + " records no stages: it loads for acting and analysis, not for resuming; train anew");
            }
            if (from.started() && from.schedule() != null && !from.schedule().equals(scheduleJson())) {
                throw new IllegalStateException("the loaded checkpoint was saved by a run with the schedule "
                        + from.schedule() + ", but this agent has " + scheduleJson()
                        + "; resume with the same schedule");
            }
            this.from = from;
            this.stages = new ArrayList<>(from.stages());
            this.evaluations = new ArrayList<>(from.evaluations());
            this.lastRefit = from.lastRefit();
            this.klToPrior = from.klToPrior();
            this.finished = from.finished();
            this.stageIndex = from.stage();
            this.stageStart = from.stageStart();
            this.stageEnd = from.stageEnd();
            this.clock = new Clock(from.started() ? from.nextEvaluation() : config.evalEvery(), envSteps);
            this.evaluator = new Evaluator(config.evalEnv(), policy, config.seed() + 7919,
                    config.stochasticEvaluation());
        }

        boolean resumed() {
            return from.started();
        }

        /** Starts the wall clock at {@code seconds}: 0 for a new run, the training time before it for a resumed one. */
        void startClock(double seconds) {
            clockZero = System.nanoTime() - Math.round(seconds * 1e9);
        }

        /** The training's wall time so far, the time before a resume included. */
        double wallSeconds() {
            return (System.nanoTime() - clockZero) / 1e9;
        }

        int stageIndex() {
            return stageIndex;
        }

        boolean inEncoderPhase() {
            return stageEnd >= 0;
        }

        /** The stage a loaded checkpoint left running, or else the schedule's next one. */
        Stage resumeStage() {
            if (finished) {
                return null;
            }
            return inEncoderPhase() ? stages.get(stageIndex) : record(ask());
        }

        /**
         * After a stage: asks the schedule for the next one. When training continues and checkpoints are on, the
         * boundary is checkpointed before the new stage is recorded, so a resume from here asks the same question
         * with the same view and redoes the new stage's refit.
         */
        Stage nextStage() {
            stageIndex++;
            Stage next = ask();
            boolean checkpointed = false;
            if (next != null && config.checkpointEvery() > 0) {
                checkpoint(snapshot());
                reseed();
                checkpointed = true;
            }
            if (next != null) {
                stopIfRequested(this, checkpointed);
            }
            return record(next);
        }

        private Stage record(Stage stage) {
            if (stage != null) {
                stages.add(stage);
            }
            return stage;
        }

        /** Asks the schedule for stage {@link #stageIndex} and checks the answer; null when training ends. */
        private Stage ask() {
            Optional<Stage> answer = schedule.next(view(stageIndex));
            if (answer == null) {
                throw invalid("null (an Optional is expected: empty to end training)");
            }
            if (answer.isEmpty()) {
                if (stageIndex == 0) {
                    throw invalid("no stage; a run needs at least one");
                }
                finished = true;
                return null;
            }
            Stage stage = answer.get();
            if (stageIndex == 0 && stage.decoderEpochs() != 0) {
                throw invalid(stage + " with decoderEpochs=" + stage.decoderEpochs() + ", but stage 0 starts from"
                        + " the identity decoder and must have decoderEpochs=0");
            }
            if (stage.decoderEpochs() > 0 && decoder instanceof IdentityDecoder) {
                throw invalid(stage + " with decoderEpochs=" + stage.decoderEpochs() + ", but an identity decoder"
                        + " cannot carry the policy across a refit");
            }
            return stage;
        }

        private IllegalStateException invalid(String what) {
            return new IllegalStateException("schedule " + schedule + " answered stage " + stageIndex + " with "
                    + what + " (after env step " + envSteps + ")");
        }

        void beginEncoderPhase(Stage stage) {
            stageStart = envSteps;
            stageEnd = envSteps + stage.encoderSteps();
        }

        void endEncoderPhase() {
            stageEnd = -1;
        }

        /** The number of decoder refits before stage {@code k}. */
        int refitsBefore(int k) {
            int n = 0;
            for (int j = 1; j < k; j++) {
                n += stages.get(j).decoderEpochs() > 0 ? 1 : 0;
            }
            return n;
        }

        void evaluate(int stage) {
            listener.onPhaseStart(stage, Phase.EVALUATION, envSteps);
            Evaluation e = guarded(() -> evaluator.evaluate(envSteps, stage), "the evaluation of stage " + stage);
            listener.onEvaluation(e);
            evaluations.add(e);
            trackBestEncoder(e);
        }

        /** Whether the latest evaluation is of stage {@code k} at {@code step} (a schedule ended the phase there). */
        boolean evaluatedAt(int k, long step) {
            Evaluation last = evaluations.get(evaluations.size() - 1);
            return last.stage() == k && last.step() == step;
        }

        TrainingProgress view(int stage) {
            long phaseStart = inEncoderPhase() ? stageStart : envSteps;
            return new TrainingProgress(stage, envSteps, phaseStart, stages, evaluations,
                    Optional.ofNullable(lastRefit),
                    Double.isNaN(klToPrior) ? OptionalDouble.empty() : OptionalDouble.of(klToPrior));
        }

        /** The progress to record now: the stage in progress, or the finished run. */
        Progress snapshot() {
            return new Progress(stageIndex, stageStart, stageEnd, clock.nextEvaluation, List.copyOf(stages),
                    List.copyOf(evaluations), lastRefit, klToPrior, finished, null, wallSeconds());
        }
    }

    /**
     * The one clock of a run: evaluations every {@code evalEvery} env steps and checkpoints every
     * {@code checkpointEvery}, at the first learn-chunk boundary past each multiple.
     */
    private final class Clock {
        long nextEvaluation;
        long nextCheckpoint;

        Clock(long nextEvaluation, long steps) {
            this.nextEvaluation = nextEvaluation;
            long every = config.checkpointEvery();
            this.nextCheckpoint = every > 0 ? (steps / every + 1) * every : Long.MAX_VALUE;
        }

        /** Where the next learn chunk ends: the stage's end, the next evaluation or the next checkpoint. */
        long nextEvent(long stageEnd) {
            return Math.min(Math.min(stageEnd, nextEvaluation), nextCheckpoint);
        }

        boolean evaluationDue(long steps) {
            return steps >= nextEvaluation;
        }

        void passEvaluations(long steps) {
            while (nextEvaluation <= steps) {
                nextEvaluation += config.evalEvery();
            }
        }

        boolean checkpointDue(long steps) {
            return steps >= nextCheckpoint;
        }

        void passCheckpoints(long steps) {
            long every = config.checkpointEvery();
            while (every > 0 && nextCheckpoint <= steps) {
                nextCheckpoint += every;
            }
        }
    }

    /**
     * Restarts the optimizer's random streams and episodes at a checkpoint, from the seed and the step count only,
     * so that the uninterrupted run (right after saving) and a resumed one (right after loading) continue alike.
     */
    private void reseed() {
        optimizer.reseed(config.seed() * 0x9E3779B97F4A7C15L + envSteps);
    }

    /** Writes a periodic checkpoint into the run directory, recording {@code at} as the point to resume from. */
    private void checkpoint(Progress at) {
        progress = at;
        try {
            save(runDirectory.checkpoint());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint " + runDirectory.checkpoint()
                    + " at env step " + envSteps + ": " + FileErrors.reason(e) + "; training stopped, "
                    + lastGoodCheckpoint(), e);
        }
    }

    /**
     * Runs a training step; a non-finite value it reports (an {@link IllegalStateException} from a vector env,
     * the optimizer or the decoder) stops training with the env step and the last good checkpoint added.
     */
    private <T> T guarded(Supplier<T> step, String what) {
        return guarded(step, what, false);
    }

    /**
     * As {@link #guarded(Supplier, String)}; with {@code learning}, the step of a {@link NonFiniteException} counts
     * from the start of the current learn call ({@code envSteps}) and the message names the global step it makes.
     */
    private <T> T guarded(Supplier<T> step, String what, boolean learning) {
        try {
            return step.get();
        } catch (NonFiniteException e) {
            long at = learning && e.envStep() >= 0 ? envSteps + e.envStep() : envSteps;
            throw new NonFiniteException("training stopped at env step " + at
                    + (e.subEnv() >= 0 ? " (sub-env " + e.subEnv() + ")" : "") + " in " + what + ": "
                    + e.getMessage() + "; " + lastGoodCheckpoint(), e.subEnv(), at, e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("training stopped in " + what + " after env step " + envSteps + ": "
                    + e.getMessage() + "; " + lastGoodCheckpoint(), e);
        }
    }

    private String lastGoodCheckpoint() {
        return lastCheckpoint == null ? "no checkpoint was written yet"
                : "last good checkpoint: " + lastCheckpoint;
    }

    /**
     * Forwards a component's metrics with the trainer's step and stage, and keeps the optimizer's latest
     * {@code kl_to_prior} for the schedule.
     */
    private TrainingListener relocated(long offset, int stage, boolean fixedStep, Run run) {
        return new TrainingListener() {
            @Override
            public void onMetrics(Metrics m) {
                Double kl = m.values().get("kl_to_prior");
                if (m.phase() == Phase.ENCODER && kl != null) {
                    run.klToPrior = kl;
                }
                listener.onMetrics(m.at(fixedStep ? offset : offset + m.step(), stage));
            }
        };
    }

    /**
     * The composed policy {@code a = g_phi(s, eps)}, {@code eps ~ pi_theta(.|s)}; valid before, during and
     * after training.
     *
     * @return the policy, backed by this agent (do not use it after {@link #close()})
     */
    public Policy policy() {
        requireOpen();
        return policy;
    }

    /**
     * The environment steps taken by the encoder phases so far.
     *
     * @return the step count
     */
    public long envSteps() {
        return envSteps;
    }

    /**
     * Writes the optimizer, the decoder and {@code checkpoint.json} (configuration, env steps and, once training
     * began, the progress to resume from) into {@code directory}. The checkpoint is complete or absent: it is
     * written into a sibling {@code <directory>.tmp-<n>} and swapped in by renames, so a process killed at any
     * moment leaves the previous or the new checkpoint loadable (see {@code docs/checkpoints.md}).
     *
     * @param directory the checkpoint folder
     * @throws IOException if writing fails
     */
    public void save(Path directory) throws IOException {
        requireOpen();
        Checkpoints.save(directory, optimizer, decoder, describe(), envSteps, progressJson(), envSteps, bestEncoder);
        lastCheckpoint = directory.toAbsolutePath().normalize();
    }

    private Map<String, Object> progressJson() {
        if (!progress.started()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", progress.stage());
        m.put("stageStart", progress.stageStart());
        m.put("stageEnd", progress.stageEnd());
        m.put("nextEvaluation", progress.nextEvaluation());
        m.put("finished", progress.finished());
        if (!Double.isNaN(progress.wallSeconds())) {
            m.put("wallSeconds", progress.wallSeconds());
        }
        m.put("stages", progress.stages().stream().map(Stage::toMap).toList());
        List<Map<String, Object>> curve = new ArrayList<>();
        for (Evaluation e : progress.evaluations()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", e.step());
            row.put("stage", e.stage());
            row.put("meanReturn", e.meanReturn());
            row.put("stdReturn", e.stdReturn());
            row.put("episodes", e.episodes());
            curve.add(row);
        }
        m.put("evaluations", curve);
        FitResult refit = progress.lastRefit();
        if (refit != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epochs", refit.epochs());
            r.put("trainLoss", refit.trainLoss());
            r.put("validationLoss", refit.validationLoss());
            r.put("bestValidationLoss", refit.bestValidationLoss());
            r.put("stoppedEarly", refit.stoppedEarly());
            m.put("lastRefit", r);
        }
        if (!Double.isNaN(progress.klToPrior())) {
            m.put("klToPrior", progress.klToPrior());
        }
        if (bestEncoder != null) {
            m.put("bestReturn", bestReturn);
        }
        return m;
    }

    private JsonNode scheduleJson() {
        try {
            // Through JSON text, as the saved side was (see Checkpoints.load).
            return Checkpoints.JSON.readTree(Checkpoints.JSON.writeValueAsBytes(describe().get("schedule")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Restores what {@link #save} wrote into this agent, which must have been built with the same task,
     * optimizer and decoder; a following {@link #train()} continues from the saved stage and step (which needs
     * the same schedule). When a swap was interrupted between its renames, the complete sibling folder is loaded.
     * Nothing on disk is changed, also when loading fails.
     *
     * @param directory the checkpoint folder
     * @throws IOException if the files are missing, corrupted, or from another task or configuration (the
     *     message names both values)
     */
    public void load(Path directory) throws IOException {
        requireOpen();
        JsonNode saved = Checkpoints.load(directory, optimizer, decoder, describe());
        Path file = Checkpoints.resolve(directory).resolve(Checkpoints.DESCRIPTION);
        envSteps = saved.path("envSteps").asLong();
        JsonNode p = saved.path("progress");
        progress = p.isObject() ? readProgress(p, saved.path("schedule"), file) : Progress.START;
        bestEncoder = EncoderSnapshot.readFrom(Checkpoints.resolve(directory).resolve(EncoderSnapshot.FOLDER));
        bestReturn = bestEncoder == null ? Double.NaN : p.path("bestReturn").asDouble(Double.NaN);
        lastCheckpoint = Checkpoints.resolve(directory).toAbsolutePath().normalize();
    }

    private static Progress readProgress(JsonNode p, JsonNode schedule, Path file) throws IOException {
        List<Stage> stages = new ArrayList<>();
        for (JsonNode s : p.path("stages")) {
            try {
                stages.add(new Stage(s.path("encoderSteps").asLong(), s.path("decoderEpochs").asInt(),
                        s.path("klBeta").asDouble(Double.NaN), s.path("clip").asDouble(Double.NaN),
                        s.path("gradNormClip").asDouble(Double.NaN), s.path("learningRate").asDouble(Double.NaN),
                        s.path("entropyCoefficient").asDouble(Double.NaN),
                        EncoderInit.valueOf(s.path("encoderInit").asText(EncoderInit.PRIOR.name()))));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " holds an invalid stage " + s + ": " + e.getMessage(), e);
            }
        }
        List<Evaluation> curve = new ArrayList<>();
        for (JsonNode e : p.path("evaluations")) {
            curve.add(new Evaluation(e.path("step").asLong(), e.path("stage").asInt(),
                    e.path("meanReturn").asDouble(Double.NaN), e.path("stdReturn").asDouble(Double.NaN),
                    e.path("episodes").asInt()));
        }
        JsonNode r = p.path("lastRefit");
        FitResult refit = r.isObject() ? new FitResult(r.path("epochs").asInt(),
                r.path("trainLoss").asDouble(Double.NaN), r.path("validationLoss").asDouble(Double.NaN),
                r.path("bestValidationLoss").asDouble(Double.NaN), r.path("stoppedEarly").asBoolean()) : null;
        return new Progress(p.path("stage").asInt(), p.path("stageStart").asLong(), p.path("stageEnd").asLong(),
                p.path("nextEvaluation").asLong(), List.copyOf(stages), List.copyOf(curve), refit,
                p.path("klToPrior").asDouble(Double.NaN), p.path("finished").asBoolean(),
                Checkpoints.JSON.readTree(Checkpoints.JSON.writeValueAsBytes(schedule)),
                p.path("wallSeconds").asDouble(Double.NaN));
    }

    /** The configuration recorded for provenance in {@code run.json} and checkpoints. */
    Map<String, Object> describe() {
        return Provenance.describe(env.spec(), env.numEnvs(), optimizer, decoder, schedule, config.seed(),
                config.device(), trainerConfig());
    }

    private Map<String, Object> trainerConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("evalEvery", config.evalEvery());
        m.put("evalEpisodes", config.evalEnv().numEnvs());
        m.put("actionSquashing", config.squashing().name());
        if (config.stochasticEvaluation()) {
            m.put("stochasticEvaluation", true);
        }
        if (config.boundedLatent()) {
            // Only when on, so that runs and checkpoints without it describe themselves as before.
            m.put(BOUNDED_LATENT, true);
        }
        m.putAll(config.refit().toMap());
        m.put("decoderSource", config.decoderSource().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("checkpointEvery", config.checkpointEvery());
        m.put("onNonFinite", config.nonFinitePolicy().name());
        if (config.rolloutThreads() > 0 || config.updateThreads() > 0 || config.refitThreads() > 0) {
            m.put("rolloutThreads", config.rolloutThreads());
            m.put("updateThreads", config.updateThreads());
            m.put("refitThreads", config.refitThreads());
        }
        return m;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this GoRL agent is closed");
        }
    }

    /**
     * Closes the optimizer, the decoder and the tensors of this agent, and releases its run directory's lock; the
     * environments belong to the caller.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                optimizer.close();
                decoder.close();
                manager.close();
            } finally {
                if (runDirectory != null) {
                    runDirectory.close();
                }
            }
        }
    }

    /**
     * Builds a {@link GoRL} agent. Every setter validates its argument and names it in the exception.
     * Required: {@link #env}, {@link #evalEnv}, {@link #optimizer}. Defaults: a flow-matching decoder,
     * {@code StageSchedule.scaled(1_000_000)}, the engine's default device (a GPU when present, else the CPU),
     * seed 0, an evaluation every 1/20 of the schedule's {@link StageSchedule#maxEncoderSteps()}, and
     * {@link DecoderRefit#defaults()}.
     *
     * <p>{@link #build()} copies the configuration: setters called afterwards change only agents built later. Each
     * agent owns its optimizer and decoder, so building again needs new ones.
     */
    public static final class Builder {
        private VectorEnv env;
        private VectorEnv evalEnv;
        private LatentPolicyOptimizer optimizer;
        private GenerativeDecoder decoder;
        private StageSchedule schedule = StageSchedule.scaled(1_000_000);
        private Device device;
        private long seed;
        private long evalEvery = -1;
        private DecoderRefit decoderRefit = DecoderRefit.defaults();
        private DecoderSource decoderSource = DecoderSource.PRIOR;
        private ActionSquashing squashing = ActionSquashing.CLIP;
        private double targetReturn = Double.NaN;
        private boolean stochasticEvaluation;
        private boolean boundedLatent;
        private int rolloutThreads;
        private int updateThreads;
        private int refitThreads;
        private Path runDirectory;
        private long checkpointEvery;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.STOP;
        private final List<TrainingListener> listeners = new ArrayList<>();
        // The parts of the agents built so far: an optimizer or decoder belongs to one agent.
        private final List<Object> owned = new ArrayList<>();

        private Builder() {}

        /**
         * The training environment (required).
         *
         * @param trainEnv a vector env; its spec fixes observation and action sizes
         * @return this builder
         */
        public Builder env(VectorEnv trainEnv) {
            this.env = Validate.notNull("env", trainEnv);
            return this;
        }

        /**
         * The evaluation environment (required): each evaluation runs one episode of the deterministic policy (unless
         * {@link #stochasticEvaluation}) on each of its sub-environments, from the same seeds every time, so
         * evaluations are comparable.
         *
         * @param environment a vector env with the same spec as {@link #env}
         * @return this builder
         */
        public Builder evalEnv(VectorEnv environment) {
            this.evalEnv = Validate.notNull("evalEnv", environment);
            return this;
        }

        /**
         * The latent policy optimizer (required), for instance {@code Ppo.latent().build()}.
         *
         * @param latentOptimizer the optimizer, not yet initialized
         * @return this builder
         */
        public Builder optimizer(LatentPolicyOptimizer latentOptimizer) {
            this.optimizer = Validate.notNull("optimizer", latentOptimizer);
            return this;
        }

        /**
         * The generative decoder (default: {@code FlowMatchingDecoder.builder().build()}).
         *
         * @param generativeDecoder the decoder, not yet initialized
         * @return this builder
         */
        public Builder decoder(GenerativeDecoder generativeDecoder) {
            this.decoder = Validate.notNull("decoder", generativeDecoder);
            return this;
        }

        /**
         * The stages (default {@code StageSchedule.scaled(1_000_000)}).
         *
         * @param stages the schedule
         * @return this builder
         */
        public Builder schedule(StageSchedule stages) {
            this.schedule = Validate.notNull("schedule", stages);
            return this;
        }

        /**
         * Where tensors live (default: the engine's default device, a GPU when one is present).
         *
         * @param target the device
         * @return this builder
         */
        public Builder device(Device target) {
            this.device = Validate.notNull("device", target);
            return this;
        }

        /**
         * The seed of everything random: parameters, sampling, environments, data splits.
         *
         * @param value the seed
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Adds a listener; listeners are called in the order added.
         *
         * @param trainingListener the listener
         * @return this builder
         */
        public Builder listener(TrainingListener trainingListener) {
            listeners.add(Validate.notNull("listener", trainingListener));
            return this;
        }

        /**
         * Environment steps between evaluations (default: 1/20 of the schedule's budget). Evaluations also
         * run at step 0, after every decoder refit and at the end of every stage.
         *
         * @param steps the interval, {@code > 0}
         * @return this builder
         */
        public Builder evalEvery(long steps) {
            this.evalEvery = Validate.positive("evalEvery", steps);
            return this;
        }

        /**
         * How decoders are refit between stages: the data collected and how the decoder trains on it (default
         * {@link DecoderRefit#defaults()}). The epochs of each refit are the stage's.
         *
         * @param refit the settings
         * @return this builder
         */
        public Builder decoderRefit(DecoderRefit refit) {
            this.decoderRefit = Validate.notNull("decoderRefit", refit);
            return this;
        }

        /**
         * Where decoder refits take their source points {@code eps} from (default {@link DecoderSource#PRIOR}, the
         * paper's fixed prior {@code N(0, I)}). {@link DecoderSource#ENCODER} records, with each collected action,
         * the encoder latent it was decoded from and fits the decoder to map exactly those latents to the actions:
         * the paper's ablation of the fixed prior. The encoder is still reset to {@code N(0, I)} afterwards.
         * {@link DecoderSource#LEARNED_PRIOR} (the paper's learnable-prior ablation) also records the latents, fits a
         * state-conditional Gaussian prior {@code p_psi(eps|s)} to them at each refit and trains the decoder from
         * samples of it; the decoder is then wrapped as {@code g(s, mu_psi(s) + sigma_psi(s) eps')}, so the encoder's
         * {@code N(0, I)} reset and KL target in {@code eps'} are {@code p_psi} in {@code eps}, and the decoder's
         * {@code config()} in {@code run.json} gains a {@code learnedPrior} entry (see {@link DecoderSource}).
         *
         * @param source the source of the refits
         * @return this builder
         */
        public Builder decoderSource(DecoderSource source) {
            this.decoderSource = Validate.notNull("decoderSource", source);
            return this;
        }

        /**
         * The return the run's final evaluation is compared with in {@code summary.json} ({@code target_return},
         * {@code target_met}), as the reference reports each task's target; {@link PaperPreset} sets the task's.
         *
         * @param value the target, or NaN (the default) for none
         * @return this builder
         */
        public Builder targetReturn(double value) {
            if (!Double.isNaN(value) && !Double.isFinite(value)) {
                throw new IllegalArgumentException("targetReturn must be finite or NaN (none), got " + value);
            }
            this.targetReturn = value;
            return this;
        }

        /**
         * Whether evaluations sample the latent from the encoder ({@code true}) instead of taking its mean (the
         * default): the reference's humanoid runs report Brax's stochastic training evaluations. The episodes still
         * start from the same seeds; the sampled latents come from the optimizer's acting randomness, so a run stays
         * reproducible from its seed.
         *
         * @param enabled true to sample the latent in evaluations
         * @return this builder
         */
        public Builder stochasticEvaluation(boolean enabled) {
            this.stochasticEvaluation = enabled;
            return this;
        }

        /**
         * Whether the decoder receives the encoder's latent squashed into {@code (-1, 1)}: the reference's humanoid
         * profile ({@code bounded_latent = true}), where Brax's tanh-normal policy emits {@code z = tanh(u)},
         * {@code u ~ N(mu(s), diag sigma(s)^2)}. With it, every path that decodes an encoder latent decodes
         * {@code z}: the training env ({@code g(s, tanh(u))} for latent actions {@code u} of shape
         * {@code [numEnvs, latentDim]}), evaluation ({@code tanh(mean)}, or {@code tanh(sample)} with
         * {@link #stochasticEvaluation}), {@link GoRL#policy()}, the decoder data's rollouts and the encoder latents
         * they record ({@code [size, latentDim]}, {@code z}; used by {@link DecoderSource#ENCODER} and a pairwise
         * decoder loss). Unchanged, as in the reference: the encoder's Gaussian, its log-probabilities (the PPO ratio
         * needs no Jacobian: it cancels), its regularizer and its reset live on {@code u} (a KL between two
         * tanh-transformed Gaussians equals the KL of the Gaussians), and a refit trains the decoder from the fixed
         * prior's draws {@code N(0, I)}, not from {@code tanh} of them. So after a refit the reset encoder feeds
         * {@code tanh(N(0, I))}, not the {@code N(0, I)} the decoder learned from; the reference accepts this.
         *
         * <p>Latent PPO needs {@code Ppo.Builder.tanhEntropyCorrection(true)}, so that its entropy bonus is that of
         * {@code z} (Brax's {@code NormalTanhDistribution}); latent SAC is refused (its entropy and regularizer terms
         * would need the Jacobian), and so is {@link DecoderSource#LEARNED_PRIOR}. Recorded in {@code run.json} and
         * checkpoints ({@code trainer.boundedLatent}); loading a checkpoint saved with another setting fails.
         *
         * @param enabled default false: the decoder receives the encoder's latent as it is
         * @return this builder
         */
        public Builder boundedLatent(boolean enabled) {
            this.boundedLatent = enabled;
            return this;
        }

        /**
         * PyTorch's intra-op threads in the three kinds of work of a run. More threads pay only on large tensors: on
         * 2 cores two threads ran a 960-row PPO minibatch 1.58x and a 65,536-row refit step 1.9x faster, but a 60-row
         * minibatch, and so the per-step inference on 64 envs, at 0.65x (docs/benchmarks.md). PyTorch's count is one
         * per process, so the trainer switches it around each kind of work. The command line picks these per preset.
         *
         * @param rollout threads for rollouts, evaluations and refit data collection (one forward per env step),
         *     {@code >= 0}; 0 (the default) leaves the engine's setting
         * @param update threads for the optimizer's minibatch updates (latent PPO and the PPO baselines), {@code >= 0};
         *     0 uses the rollout's
         * @param refit threads for decoder refits, {@code >= 0}; 0 uses the rollout's
         * @return this builder
         */
        public Builder computeThreads(int rollout, int update, int refit) {
            this.rolloutThreads = (int) Validate.nonNegative("computeThreads rollout", (long) rollout);
            this.updateThreads = (int) Validate.nonNegative("computeThreads update", (long) update);
            this.refitThreads = (int) Validate.nonNegative("computeThreads refit", (long) refit);
            return this;
        }

        /**
         * How decoded actions become executed ones, on every path: the training env, the evaluation, the decoder's
         * data and {@link Policy#actInBounds}. {@link ActionSquashing#TANH} is the paper's setting (the decoder then
         * learns the pre-{@code tanh} actions, see {@link DecoderRefit.Builder#targetClip}); the default,
         * {@link ActionSquashing#CLIP}, clips to the bounds.
         *
         * @param actionSquashing the squashing
         * @return this builder
         */
        public Builder actionSquashing(ActionSquashing actionSquashing) {
            this.squashing = Validate.notNull("actionSquashing", actionSquashing);
            return this;
        }

        /**
         * Writes a run directory: {@code run.json}, {@code metrics.csv}, {@code learning_curve.png} (when XChart is
         * present), {@code summary.json} and the final checkpoint. Checked for writability when the agent is built,
         * and locked for the agent's life ({@code run.lock}, an operating-system lock released by {@link #close()} or
         * the process's end): building a second agent on a directory another run holds throws an
         * {@link IllegalStateException} naming the holder's pid and start time.
         *
         * @param directory the folder, created if missing
         * @return this builder
         */
        public Builder runDirectory(Path directory) {
            this.runDirectory = Validate.notNull("runDirectory", directory);
            return this;
        }

        /**
         * Writes a checkpoint into the run directory's {@code checkpoint/} every {@code steps} encoder env steps
         * (at the first learn-chunk boundary past each multiple), at the end of every stage and at the end of
         * training (default 0: only at the end). Each checkpoint replaces the previous one atomically; see
         * {@link #load} and {@link #train} for resuming. Requires {@link #runDirectory}.
         *
         * @param steps the interval in env steps, {@code > 0}
         * @return this builder
         */
        public Builder checkpointEvery(long steps) {
            this.checkpointEvery = Validate.positive("checkpointEvery", steps);
            return this;
        }

        /**
         * What training does with a NaN or infinite observation or reward in the data the optimizer learns from
         * (default {@link NonFinitePolicy#STOP}: stop with the env step, the sub-env and the last good checkpoint
         * named). {@link NonFinitePolicy#SKIP_BATCH} drops the batch (PPO) or the transitions (SAC) and resets the
         * env; it needs an optimizer that overrides {@link LatentPolicyOptimizer#onNonFinite} (latent PPO, SAC, FPO and
         * DPPO). A non-finite loss, and a non-finite value in an evaluation or in decoder-refit data, stops training
         * either way.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder onNonFinite(NonFinitePolicy policy) {
            this.nonFinitePolicy = Validate.notNull("onNonFinite", policy);
            return this;
        }

        /**
         * Validates the configuration and creates the agent (initializes the networks and, when configured,
         * the run directory).
         *
         * @return the agent
         * @throws IllegalArgumentException naming what is missing or inconsistent
         */
        public GoRL build() {
            if (env == null) {
                throw new IllegalArgumentException("env is required: call env(VectorEnv)");
            }
            if (evalEnv == null) {
                throw new IllegalArgumentException("evalEnv is required: call evalEnv(VectorEnv) with a separate"
                        + " vector env of the same task");
            }
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer is required, e.g. optimizer(Ppo.latent().build())");
            }
            if (!evalEnv.spec().equals(env.spec())) {
                throw new IllegalArgumentException("evalEnv spec " + evalEnv.spec()
                        + " differs from env spec " + env.spec());
            }
            GenerativeDecoder parts = decoder == null ? FlowMatchingDecoder.builder().build() : decoder;
            for (Object part : new Object[] {optimizer, decoder}) {
                if (part != null && owned.stream().anyMatch(o -> o == part)) {
                    throw new IllegalStateException("this builder already built an agent with " + part + "; an"
                            + " agent owns its optimizer and decoder, so pass new ones before building again");
                }
            }
            if (parts instanceof IdentityDecoder && schedule instanceof FixedSchedule fixed) {
                for (int k = 1; k < fixed.size(); k++) {
                    if (fixed.stage(k).decoderEpochs() > 0) {
                        throw new IllegalArgumentException("an identity decoder cannot carry the policy across a"
                                + " decoder refit, but stage " + k + " has decoderEpochs="
                                + fixed.stage(k).decoderEpochs()
                                + "; use a single-stage schedule or a generative decoder");
                    }
                }
            }
            if (decoderRefit.fitOptions(1, 0).splitByEpisode() && decoderRefit.episodes() == 0) {
                throw new IllegalArgumentException("decoderRefit splitByEpisode(true) needs episodes(N) > 0, which"
                        + " records each pair's episode; got dataSize " + decoderRefit.dataSize() + " pairs");
            }
            if (checkpointEvery > 0 && runDirectory == null) {
                throw new IllegalArgumentException("checkpointEvery(" + checkpointEvery + ") needs a run directory"
                        + " to write checkpoints into: call runDirectory(Path)");
            }
            if (boundedLatent) {
                checkBoundedLatent(optimizer, decoderSource);
            }
            // Rejects a policy the optimizer cannot follow, naming both (LatentPolicyOptimizer#onNonFinite).
            optimizer.onNonFinite(nonFinitePolicy);
            long maxSteps = Validate.positive("schedule.maxEncoderSteps()", schedule.maxEncoderSteps());
            Config config = new Config(env, evalEnv, schedule, device == null ? Engine.getInstance().defaultDevice()
                    : device, seed, evalEvery > 0 ? evalEvery : Math.max(1, maxSteps / 20), decoderRefit,
                    decoderSource, runDirectory, checkpointEvery, nonFinitePolicy, List.copyOf(listeners), squashing,
                    targetReturn, rolloutThreads, updateThreads, refitThreads, stochasticEvaluation, boundedLatent);
            owned.add(optimizer);
            owned.add(parts);
            return new GoRL(config, optimizer, parts);
        }

        private static void checkBoundedLatent(LatentPolicyOptimizer optimizer, DecoderSource source) {
            Object algorithm = optimizer.config().get("algorithm");
            if ("sac".equals(algorithm)) {
                throw new IllegalArgumentException("boundedLatent(true) is not supported with latent SAC (optimizer '"
                        + optimizer.name() + "'): its entropy and prior terms are of the unbounded latent u and would"
                        + " need the tanh Jacobian; use latent PPO with tanhEntropyCorrection(true), or"
                        + " boundedLatent(false)");
            }
            if ("ppo".equals(algorithm) && !Boolean.TRUE.equals(optimizer.config().get("tanhEntropyCorrection"))) {
                throw new IllegalArgumentException("boundedLatent(true) with latent PPO needs"
                        + " Ppo.Builder.tanhEntropyCorrection(true), so that the entropy bonus is that of the bounded"
                        + " latent tanh(u) the decoder receives (as Brax's tanh-normal policy), not of u");
            }
            if (source == DecoderSource.LEARNED_PRIOR) {
                throw new IllegalArgumentException("boundedLatent(true) cannot be combined with decoderSource("
                        + "LEARNED_PRIOR): the learned prior maps the encoder's unbounded latent; use decoderSource"
                        + " PRIOR or ENCODER");
            }
        }
    }
}
