package io.github.gorl.baselines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import io.github.gorl.core.optim.ppo.engine.PpoPolicy;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.Mlp;
import io.github.gorl.decoders.nn.Scalars;
import io.github.gorl.decoders.nn.TensorFile;
import io.github.gorl.decoders.nn.TimeEmbedding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A generative policy whose likelihood is not a closed-form Gaussian, as a {@link PpoPolicy}: one network
 * {@code f(normalize(s), x, embed(t))} of output {@code [actionDim]} ({@link #network}), sampled in {@code steps}
 * evaluations. The subclass defines the statistic {@code l} of the log-ratio (FPO's negated conditional-flow-matching
 * loss, DPPO's log-likelihood of the denoising chain), recomputed once per rollout after the observation statistics
 * are updated, and the per-row extras it needs. No entropy term, no prior penalty. Not thread-safe.
 */
abstract class GenerativePolicy implements PpoPolicy {

    /** The format version of the baselines' files; version 1 stored the stage knobs as floats. */
    static final int FILE_VERSION = 2;

    final BaselineConfig config;
    EnvSpec spec;
    private Mlp policy;
    private TimeEmbedding timeEmbedding;

    GenerativePolicy(BaselineConfig config) {
        this.config = config;
    }

    /** The file kind of saved parameters. */
    abstract String fileKind();

    /**
     * The optimizer: the engine around this policy.
     *
     * @return a new, uninitialized optimizer
     */
    PpoEngine optimizer() {
        PpoEngine.Settings settings = new PpoEngine.Settings(config.name(), config.toMap(),
                new PpoEngine.FileFormat(config.name() + ".tensors", fileKind(), FILE_VERSION, 1),
                config.criticLayers(), config.unrollLength(), config.minibatches(), config.epochs(),
                config.learningRate(), config.gamma(), config.gaeLambda(), config.rewardScaling(),
                config.valueLossCoefficient(), false, config.normalizeAdvantages(), config.normalizeObservations(),
                config.observationClip(), 0, config.clip(), config.gradNormClip(), config.dualClip(),
                config.targetKl(), true, true, false, config.batchSize());
        return new PpoEngine(settings, this);
    }

    @Override
    public void initialize(NDManager manager, EnvSpec latentSpec, long seed) {
        spec = latentSpec;
        timeEmbedding = new TimeEmbedding(config.timeEmbeddingDim());
        int actionDim = spec.actionDim();
        policy = new Mlp(manager, spec.observationDim() + actionDim + timeEmbedding.dim(), config.policyLayers(),
                actionDim, seed);
    }

    @Override
    public List<NDArray> parameters() {
        return policy.parameters();
    }

    /**
     * The policy network {@code outputScale * f(normalize(s), x, embed(t))}.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param x {@code [n, actionDim]}
     * @param t {@code [n, 1]}
     * @return {@code [n, actionDim]}
     */
    NDArray network(NDArray normalizedObservations, NDArray x, NDArray t) {
        NDArray out = policy.forward(NDArrays.concat(new NDList(normalizedObservations, x, timeEmbedding.embed(t)),
                1));
        // Scalars.times, not mul(Number): inside the engine's gradient collector (see PpoLoss).
        return config.outputScale() == 1 ? out : Scalars.times(out, config.outputScale());
    }

    /** {@code rows * cols} standard normal draws as a tensor. */
    static NDArray normal(NDManager scope, SplittableRandom random, int rows, int cols) {
        return scope.create(Gaussian.standardNormal(random, rows * cols), new Shape(rows, cols));
    }

    /**
     * The policy statistic {@code l_theta(s, a)} whose difference is the log-ratio.
     *
     * @param normalizedObservations {@code [n, observationDim]}
     * @param actions {@code [n, actionDim]}
     * @param extras {@code [n, extraWidth]}
     * @return {@code [n]}, or {@code [n, statisticWidth]} when it is above 1
     */
    abstract NDArray statistic(NDArray normalizedObservations, NDArray actions, NDArray extras);

    @Override
    public final boolean recordsStatisticAtSampling() {
        return false;
    }

    @Override
    public final Evaluation evaluate(NDArray normalizedObservations, NDArray actions, NDArray extras) {
        NDArray current = statistic(normalizedObservations, actions, extras);
        return new Evaluation() {
            @Override
            public NDArray statistic() {
                return current;
            }

            @Override
            public NDArray[] diagnostics() {
                return new NDArray[] {current.mean()};
            }
        };
    }

    @Override
    public final List<String> diagnosticNames() {
        return List.of("policy_statistic");
    }

    /**
     * Re-draws the network and zeroes its output layer, so that it outputs 0: FPO then samples
     * {@code a = eps ~ N(0, I)} and DPPO a random walk from {@code N(0, I)}.
     */
    @Override
    public final void resetToPrior(long seed) {
        policy.reinitialize(seed);
        policy.zeroOutputLayer();
    }

    @Override
    public final boolean hasPriorPenalty() {
        return false;
    }

    @Override
    public final String displayName() {
        return config.name();
    }

    @Override
    public final String actionDimName() {
        return "actionDim";
    }

    /** Writes {@code steps} (the chain length the network was trained for) and the network. */
    @Override
    public final void writeTo(Map<String, float[]> entries) {
        entries.put("steps", new float[] {config.steps()});
        policy.writeTo(entries, "policy");
    }

    @Override
    public final void readFrom(TensorFile.Content content, Path file) throws IOException {
        // The network is trained for one chain length: other step counts would sample another policy.
        int steps = (int) content.require("steps", 1)[0];
        if (steps != config.steps()) {
            throw new IOException(file + " was saved with steps " + steps + ", but this " + config.name()
                    + " has steps " + config.steps());
        }
        policy.readFrom(content, "policy", file);
    }
}
