package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.Evaluation;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
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
import io.github.gorl.api.TrainingResult;
import io.github.gorl.api.Validate;
import io.github.gorl.api.VectorEnv;
import io.github.gorl.decoders.IdentityDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * <p>The stage loop, for stage {@code k} of the schedule:
 * <ol>
 *   <li>if {@code k > 0} and the stage has decoder epochs: collect {@code (s, a)} pairs from rollouts of the
 *       composed policy {@code a = g_phi(s, eps), eps ~ pi_theta(.|s)}, and refine the decoder on them with
 *       the fixed prior {@code N(0, I)} as its source, the encoder frozen; then reset the encoder to the
 *       prior, {@code pi_theta(eps|s) = N(0, I)}. Because the refined decoder maps {@code N(0, I)} to the
 *       previous policy's actions, the composed policy continues where it was;</li>
 *   <li>optimize the latent policy with the decoder frozen, on the {@link DecodedVectorEnv}, with the
 *       stage's KL weight, clip and gradient-norm clip.</li>
 * </ol>
 * Stage 0 starts from the identity decoder. With {@code decoderSource(LEARNED_PRIOR)} the refit's source is a learned
 * state-conditional Gaussian instead of {@code N(0, I)} (see {@link DecoderSource#LEARNED_PRIOR}). A later stage
 * with 0 decoder epochs neither refits the decoder nor resets the encoder: the encoder simply keeps learning on the
 * frozen decoder.
 */
public final class GoRL implements AutoCloseable {

    private final Builder config;
    private final VectorEnv env;
    private final VectorEnv evalEnv;
    private final LatentPolicyOptimizer optimizer;
    private final GenerativeDecoder decoder;
    private final StageSchedule schedule;
    private final Device device;
    private final NDManager manager;
    private final TrainingListener listener;
    private final RunDirectory runDirectory;
    private final ComposedPolicy policy;
    private long envSteps;
    // Where train() starts: the beginning, or the progress a loaded checkpoint recorded.
    private Progress progress = Progress.START;
    private Path lastCheckpoint;
    private boolean closed;

    /**
     * The training progress a checkpoint records: the stage in progress, the step its encoder phase ends at, the
     * next evaluation step and the evaluations so far. {@code stage == schedule.size()} means training finished.
     */
    private record Progress(int stage, long stageEnd, long nextEvaluation, List<Evaluation> evaluations,
            JsonNode schedule) {
        static final Progress START = new Progress(0, -1, -1, List.of(), null);

        /** Whether training began: a stage in progress ({@code stageEnd >= 0}) or one finished. */
        boolean started() {
            return stage > 0 || stageEnd >= 0;
        }
    }

    private GoRL(Builder b) {
        this.config = b;
        this.env = b.env;
        this.evalEnv = b.evalEnv;
        this.optimizer = b.optimizer;
        // The learnable-prior ablation composes the decoder with the prior; everything else sees one decoder.
        this.decoder = b.decoderSource == DecoderSource.LEARNED_PRIOR ? new LearnedPriorDecoder(b.decoder)
                : b.decoder;
        this.schedule = b.schedule;
        this.device = b.device;
        this.manager = NDManager.newBaseManager(device);
        this.runDirectory = b.runDirectory == null ? null : RunDirectory.create(b.runDirectory);
        List<TrainingListener> all = new ArrayList<>(b.listeners);
        if (runDirectory != null) {
            all.add(runDirectory.metricsWriter());
        }
        this.listener = TrainingListener.all(all);
        EnvSpec spec = env.spec();
        Engine.getInstance().setRandomSeed((int) b.seed);
        optimizer.initialize(spec.latent(spec.actionDim()), device, b.seed);
        decoder.initialize(spec, device, b.seed + 1);
        decoder.resetToIdentity();
        optimizer.resetToPrior();
        try {
            checkContracts(spec);
        } catch (IllegalArgumentException e) {
            manager.close();
            throw e;
        }
        this.policy = new ComposedPolicy(spec, optimizer, decoder, manager);
        if (runDirectory != null) {
            runDirectory.writeRunJson(describe());
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
     * Starts a builder.
     *
     * @return a builder with the documented defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs every stage of the schedule, or, after {@link #load} of a checkpoint written during training, the rest
     * of it: finished stages are skipped, a stage in progress continues its encoder phase with the remaining steps
     * (its decoder refit is not redone), and the learning curve continues the saved evaluations.
     *
     * @return the final and best evaluation returns, the steps taken and the learning curve
     * @throws IllegalStateException if a non-finite observation, reward or loss stops training (a
     *     {@link NonFiniteException} with the global env step and the sub-env); the message names the env step, the
     *     sub-env where known and the last good checkpoint, or says that none was written yet
     */
    public TrainingResult train() {
        requireOpen();
        long start = System.nanoTime();
        Progress from = progress;
        if (from.started() && from.schedule() != null && !from.schedule().equals(scheduleJson())) {
            throw new IllegalStateException("the loaded checkpoint was saved by a run with the schedule "
                    + from.schedule() + ", but this agent has " + scheduleJson() + "; resume with the same schedule");
        }
        List<Evaluation> evaluations = new ArrayList<>(from.evaluations());
        Evaluator evaluator = new Evaluator(evalEnv, policy, config.seed + 7919);
        if (runDirectory != null) {
            runDirectory.openMetrics(from.started(), envSteps);
        }
        listener.onTrainingStart(env.spec(), schedule);
        long nextEvaluation;
        if (from.started()) {
            nextEvaluation = from.nextEvaluation();
            reseed();
        } else {
            evaluations.add(evaluate(evaluator, 0));
            nextEvaluation = config.evalEvery;
        }
        long nextCheckpoint = config.checkpointEvery > 0 ? (envSteps / config.checkpointEvery + 1)
                * config.checkpointEvery : Long.MAX_VALUE;
        for (int k = from.stage(); k < schedule.size(); k++) {
            Stage stage = schedule.stage(k);
            listener.onStageStart(k, stage, envSteps);
            boolean resumed = k == from.stage() && from.stageEnd() >= 0;
            long stageEnd;
            if (resumed) {
                // The decoder refit and prior reset of this stage happened before the checkpoint.
                stageEnd = from.stageEnd();
            } else {
                boolean refine = k > 0 && stage.decoderEpochs() > 0;
                if (refine) {
                    // Decoder phase: encoder frozen; g_phi learns to map the fixed prior N(0, I) to the actions
                    // of the current composed policy, so that resetting the encoder keeps the policy.
                    listener.onPhaseStart(k, Phase.DECODER, envSteps);
                    // One collector per refit, seeded by the refit's index, so a resumed run collects the same data.
                    RolloutCollector collector = new RolloutCollector(env, policy,
                            config.seed + 104729 + 1_000_003L * refitsBefore(k));
                    var data = guarded(() -> collector.collect(config.decoderDataSize, config.topEpisodeFraction,
                            config.decoderSource != DecoderSource.PRIOR), "collecting decoder data");
                    FitOptions options = new FitOptions(refitEpochs(stage.decoderEpochs(), data.size()),
                            config.decoderLearningRate,
                            config.decoderBatchSize, config.decoderSamplesPerAction,
                            config.decoderValidationFraction, config.decoderPatience, config.seed + 31L * k);
                    final int stageIndex = k;
                    final long at = envSteps;
                    FitResult fit = guarded(() -> decoder.fit(data, options, relocated(at, stageIndex, true)),
                            "the decoder refit");
                    Map<String, Double> refit = new LinkedHashMap<>();
                    refit.put("decoder_epochs", (double) fit.epochs());
                    refit.put("decoder_train_loss", fit.trainLoss());
                    refit.put("decoder_validation_loss", fit.bestValidationLoss());
                    refit.put("decoder_data_size", (double) data.size());
                    if (decoder instanceof LearnedPriorDecoder learned) {
                        refit.put("prior_nll", learned.lastPriorNll());
                    }
                    listener.onMetrics(new Metrics(envSteps, k, Phase.DECODER, refit));
                    optimizer.resetToPrior();
                    evaluations.add(evaluate(evaluator, k));
                } else if (k == 0) {
                    optimizer.resetToPrior();
                }
                stageEnd = envSteps + stage.encoderSteps();
            }
            optimizer.beginStage(stage);
            // Encoder phase: decoder frozen, part of the environment.
            listener.onPhaseStart(k, Phase.ENCODER, envSteps);
            DecodedVectorEnv latentEnv = new DecodedVectorEnv(env, decoder, manager);
            while (envSteps < stageEnd) {
                long chunk = Math.min(Math.min(stageEnd, nextEvaluation), nextCheckpoint) - envSteps;
                final int stageIndex = k;
                final long before = envSteps;
                envSteps += guarded(() -> optimizer.learn(latentEnv, Math.max(1, chunk),
                        relocated(before, stageIndex, false)), "the encoder phase of stage " + k, true);
                boolean evaluated = false;
                if (envSteps >= nextEvaluation && envSteps < stageEnd) {
                    evaluations.add(evaluate(evaluator, k));
                    evaluated = true;
                }
                while (nextEvaluation <= envSteps) {
                    nextEvaluation += config.evalEvery;
                }
                if (envSteps >= nextCheckpoint && envSteps < stageEnd) {
                    checkpoint(new Progress(k, stageEnd, nextEvaluation, evaluations, null));
                    reseed();
                    while (nextCheckpoint <= envSteps) {
                        nextCheckpoint += config.checkpointEvery;
                    }
                }
                if (evaluated) {
                    listener.onPhaseStart(k, Phase.ENCODER, envSteps);
                }
            }
            evaluations.add(evaluate(evaluator, k));
            if (config.checkpointEvery > 0 && k + 1 < schedule.size()) {
                // The next stage starts from here: its refit, if any, is redone after a resume.
                checkpoint(new Progress(k + 1, -1, nextEvaluation, evaluations, null));
                reseed();
            }
        }
        double best = evaluations.stream().mapToDouble(Evaluation::meanReturn).max().orElse(Double.NaN);
        double wall = (System.nanoTime() - start) / 1e9;
        TrainingResult result = new TrainingResult(
                evaluations.get(evaluations.size() - 1).meanReturn(), best, envSteps, wall, evaluations);
        progress = new Progress(schedule.size(), envSteps, nextEvaluation, List.copyOf(evaluations), null);
        if (runDirectory != null) {
            try {
                save(runDirectory.checkpoint());
                runDirectory.finish(result, env.spec().id());
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the run directory " + runDirectory.path(), e);
            }
        }
        listener.onTrainingEnd(result);
        return result;
    }

    /** The number of decoder refits before stage {@code k}. */
    private int refitsBefore(int k) {
        int n = 0;
        for (int j = 1; j < k; j++) {
            n += schedule.stage(j).decoderEpochs() > 0 ? 1 : 0;
        }
        return n;
    }

    /**
     * The epoch budget of one refit: the stage's epochs, raised so that the refit takes at least
     * {@code decoderMinUpdates} minibatch updates on the training split. A refit starts from the identity (or the
     * previous decoder) and Adam moves each parameter by at most about the learning rate per update, so a small
     * data set's few updates per epoch leave the decoder far from the composed policy it must reproduce (see
     * docs/decoders.md, "Keeping the policy across a refit").
     */
    private int refitEpochs(int stageEpochs, int pairs) {
        long training = pairs - (long) Math.floor(pairs * config.decoderValidationFraction);
        long perEpoch = Math.max(1, (training + config.decoderBatchSize - 1) / config.decoderBatchSize);
        long needed = (config.decoderMinUpdates + perEpoch - 1) / perEpoch;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(stageEpochs, needed));
    }

    /**
     * Restarts the optimizer's random streams and episodes at a checkpoint, from the seed and the step count only,
     * so that the uninterrupted run (right after saving) and a resumed one (right after loading) continue alike.
     */
    private void reseed() {
        optimizer.reseed(config.seed * 0x9E3779B97F4A7C15L + envSteps);
    }

    /** Writes a periodic checkpoint into the run directory, recording {@code at} as the point to resume from. */
    private void checkpoint(Progress at) {
        progress = new Progress(at.stage(), at.stageEnd(), at.nextEvaluation(), List.copyOf(at.evaluations()),
                null);
        try {
            save(runDirectory.checkpoint());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint " + runDirectory.checkpoint()
                    + " at env step " + envSteps, e);
        }
    }

    /**
     * Runs a training step; a non-finite value it reports (an {@link IllegalStateException} from a vector env,
     * the optimizer or the decoder) stops training with the env step and the last good checkpoint added.
     */
    private <T> T guarded(java.util.function.Supplier<T> step, String what) {
        return guarded(step, what, false);
    }

    /**
     * As {@link #guarded(java.util.function.Supplier, String)}; with {@code learning}, the step of a
     * {@link NonFiniteException} counts from the start of the current learn call ({@code envSteps}) and the message
     * names the global step it makes.
     */
    private <T> T guarded(java.util.function.Supplier<T> step, String what, boolean learning) {
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

    private Evaluation evaluate(Evaluator evaluator, int stage) {
        listener.onPhaseStart(stage, Phase.EVALUATION, envSteps);
        Evaluation e = guarded(() -> evaluator.evaluate(envSteps, stage), "the evaluation of stage " + stage);
        listener.onEvaluation(e);
        return e;
    }

    /** Forwards a component's metrics with the trainer's step and stage. */
    private TrainingListener relocated(long offset, int stage, boolean fixedStep) {
        return new TrainingListener() {
            @Override
            public void onMetrics(Metrics m) {
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
        Checkpoints.save(directory, optimizer, decoder, describe(), envSteps, progressJson(), envSteps);
        lastCheckpoint = directory.toAbsolutePath().normalize();
    }

    private Map<String, Object> progressJson() {
        if (!progress.started()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", progress.stage());
        m.put("stageEnd", progress.stageEnd());
        m.put("nextEvaluation", progress.nextEvaluation());
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
        envSteps = saved.path("envSteps").asLong();
        JsonNode p = saved.path("progress");
        if (p.isObject()) {
            List<Evaluation> curve = new ArrayList<>();
            for (JsonNode e : p.path("evaluations")) {
                curve.add(new Evaluation(e.path("step").asLong(), e.path("stage").asInt(),
                        e.path("meanReturn").asDouble(Double.NaN), e.path("stdReturn").asDouble(Double.NaN),
                        e.path("episodes").asInt()));
            }
            // A finished stage is recorded as the next one not yet started (stageEnd -1): mark it started so that
            // train() skips the step-0 evaluation, with stageEnd recomputed when that stage begins.
            progress = new Progress(p.path("stage").asInt(), p.path("stageEnd").asLong(),
                    p.path("nextEvaluation").asLong(), List.copyOf(curve),
                    Checkpoints.JSON.readTree(Checkpoints.JSON.writeValueAsBytes(saved.path("schedule"))));
        } else {
            progress = Progress.START;
        }
        lastCheckpoint = Checkpoints.resolve(directory).toAbsolutePath().normalize();
    }

    /** The configuration recorded for provenance in {@code run.json} and checkpoints. */
    Map<String, Object> describe() {
        return Provenance.describe(env.spec(), env.numEnvs(), optimizer, decoder, schedule, config.seed, device,
                trainerConfig());
    }

    private Map<String, Object> trainerConfig() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("evalEvery", config.evalEvery);
        m.put("evalEpisodes", evalEnv.numEnvs());
        m.put("decoderDataSize", config.decoderDataSize);
        m.put("topEpisodeFraction", config.topEpisodeFraction);
        m.put("decoderBatchSize", config.decoderBatchSize);
        m.put("decoderLearningRate", config.decoderLearningRate);
        m.put("decoderSamplesPerAction", config.decoderSamplesPerAction);
        m.put("decoderValidationFraction", config.decoderValidationFraction);
        m.put("decoderPatience", config.decoderPatience);
        m.put("decoderMinUpdates", config.decoderMinUpdates);
        m.put("decoderSource", config.decoderSource.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        m.put("checkpointEvery", config.checkpointEvery);
        m.put("onNonFinite", config.nonFinitePolicy.name());
        return m;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this GoRL agent is closed");
        }
    }

    /** Closes the optimizer, the decoder and the tensors of this agent; the environments belong to the caller. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            optimizer.close();
            decoder.close();
            manager.close();
        }
    }

    /**
     * Builds a {@link GoRL} agent. Every setter validates its argument and names it in the exception.
     * Required: {@link #env}, {@link #evalEnv}, {@link #optimizer}. Defaults: a flow-matching decoder,
     * {@code StageSchedule.scaled(1_000_000)}, the engine's default device (a GPU when present, else the CPU),
     * seed 0, an evaluation every 1/20 of the budget, 100k decoder pairs, no episode filtering, decoder
     * batch 8192 at lr 3e-4 with 8 samples per pair, 10% validation and patience 5, at least 2,000 updates per
     * refit.
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
        private int decoderDataSize = 100_000;
        private double topEpisodeFraction = 1.0;
        private int decoderBatchSize = 8192;
        private double decoderLearningRate = 3e-4;
        private int decoderSamplesPerAction = 8;
        private double decoderValidationFraction = 0.1;
        private int decoderPatience = 5;
        private int decoderMinUpdates = 2_000;
        private DecoderSource decoderSource = DecoderSource.PRIOR;
        private Path runDirectory;
        private long checkpointEvery;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.STOP;
        private final List<TrainingListener> listeners = new ArrayList<>();

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
         * The evaluation environment (required): each evaluation runs one deterministic episode on each of its
         * sub-environments, from the same seeds every time, so evaluations are comparable.
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
         * The number of {@code (s, a)} pairs collected for each decoder refit (the paper: up to 10M).
         *
         * @param pairs the dataset size, {@code > 0}
         * @return this builder
         */
        public Builder decoderDataSize(int pairs) {
            this.decoderDataSize = Validate.positive("decoderDataSize", pairs);
            return this;
        }

        /**
         * Keeps only the pairs of the best episodes (by return) for decoder refits; 1.0 keeps all.
         *
         * @param fraction the share of episodes kept, in {@code (0, 1]}
         * @return this builder
         */
        public Builder topEpisodeFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("topEpisodeFraction must be in (0, 1], got " + fraction);
            }
            this.topEpisodeFraction = fraction;
            return this;
        }

        /**
         * The decoder's minibatch size (paper: 8192).
         *
         * @param size pairs per step, {@code > 0}
         * @return this builder
         */
        public Builder decoderBatchSize(int size) {
            this.decoderBatchSize = Validate.positive("decoderBatchSize", size);
            return this;
        }

        /**
         * The decoder's Adam learning rate (paper: 3e-4).
         *
         * @param lr the learning rate, {@code > 0}
         * @return this builder
         */
        public Builder decoderLearningRate(double lr) {
            this.decoderLearningRate = Validate.positive("decoderLearningRate", lr);
            return this;
        }

        /**
         * Monte-Carlo {@code (eps, t)} draws per pair and step of decoder training (paper: 8).
         *
         * @param samples draws, {@code > 0}
         * @return this builder
         */
        public Builder decoderSamplesPerAction(int samples) {
            this.decoderSamplesPerAction = Validate.positive("decoderSamplesPerAction", samples);
            return this;
        }

        /**
         * Early stopping of decoder refits: the held-out share and the patience in epochs.
         *
         * @param validationFraction the held-out share, in {@code [0, 0.5]}
         * @param patience epochs without improvement before stopping, {@code > 0}
         * @return this builder
         */
        public Builder decoderEarlyStopping(double validationFraction, int patience) {
            this.decoderValidationFraction = Validate.inRange("decoderValidationFraction", validationFraction, 0,
                    0.5);
            this.decoderPatience = Validate.positive("decoderPatience", patience);
            return this;
        }

        /**
         * The fewest minibatch updates a decoder refit takes (default 2,000; 0 keeps the stage's epochs as they
         * are). When {@code ceil(training pairs / decoderBatchSize) * stage epochs} is smaller, the refit's epoch
         * budget is raised to reach it; early stopping still applies. The paper's refit (50 epochs over up to 10M
         * pairs, batch 8192) takes about 61,000 updates, so this only binds on reduced data sets, where too few
         * updates left the decoder far from the policy it must reproduce and the policy was lost at the refit
         * (measured in docs/decoders.md).
         *
         * @param updates the minimum number of updates, {@code >= 0}
         * @return this builder
         */
        public Builder decoderMinUpdates(int updates) {
            this.decoderMinUpdates = (int) Validate.nonNegative("decoderMinUpdates", updates);
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
         * Writes a run directory: {@code run.json}, {@code metrics.csv}, {@code learning_curve.png},
         * {@code summary.json} and the final checkpoint. Checked for writability when the agent is built.
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
         * env; it needs an optimizer that overrides {@link LatentPolicyOptimizer#onNonFinite} (latent PPO and SAC). A non-finite
         * loss, and a non-finite value in an evaluation or in decoder-refit data, stops training either way.
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
            if (decoder == null) {
                decoder = FlowMatchingDecoder.builder().build();
            }
            if (decoder instanceof IdentityDecoder) {
                for (int k = 1; k < schedule.size(); k++) {
                    if (schedule.stage(k).decoderEpochs() > 0) {
                        throw new IllegalArgumentException("an identity decoder cannot carry the policy across a"
                                + " decoder refit, but stage " + k + " has decoderEpochs="
                                + schedule.stage(k).decoderEpochs()
                                + "; use a single-stage schedule or a generative decoder");
                    }
                }
            }
            // Rejects a policy the optimizer cannot follow, naming both (LatentPolicyOptimizer#onNonFinite).
            optimizer.onNonFinite(nonFinitePolicy);
            if (checkpointEvery > 0 && runDirectory == null) {
                throw new IllegalArgumentException("checkpointEvery(" + checkpointEvery + ") needs a run directory"
                        + " to write checkpoints into: call runDirectory(Path)");
            }
            if (device == null) {
                device = Engine.getInstance().defaultDevice();
            }
            if (evalEvery < 0) {
                evalEvery = Math.max(1, schedule.totalEncoderSteps() / 20);
            }
            return new GoRL(this);
        }
    }
}
