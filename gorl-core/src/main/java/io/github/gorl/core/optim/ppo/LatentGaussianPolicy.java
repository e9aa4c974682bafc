package io.github.gorl.core.optim.ppo;

import io.github.gorl.core.optim.ppo.engine.PpoLoss;
import io.github.gorl.core.optim.ppo.engine.PpoPolicy;
import io.github.gorl.core.optim.ppo.engine.PpoEngine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import io.github.gorl.api.Validate;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.core.optim.GaussianHead;
import io.github.gorl.decoders.nn.Gaussian;
import io.github.gorl.decoders.nn.TensorFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Latent PPO's policy {@code pi_theta(eps | s) = N(mean(s), diag(std(s)^2))} ({@link GaussianHead},
 * {@link GaussianHead.StdMap#SOFTPLUS}) as a {@link PpoPolicy}: the statistic is {@code log pi_theta(eps | s)}, recorded
 * at sampling time; the loss adds {@code - c_e * mean(H[pi_theta(.|s)]) + beta * mean(KL(pi_theta(.|s) || N(0, I)))}:
 * the entropy bonus keeps exploration alive early, the KL term pulls {@code pi_theta} towards {@code N(0, I)}, the
 * prior that the decoder was trained to map to good actions.
 */
final class LatentGaussianPolicy implements PpoPolicy {

    static final String FILE_NAME = "latent-ppo.tensors";
    static final String FILE_KIND = "latent-ppo";
    static final int FILE_VERSION = 1;

    private final PpoConfig config;
    private GaussianHead actor;
    /** The entropy bonus {@code c_e}: the builder's until a stage sets its own. */
    private double entropyCoefficient;

    private LatentGaussianPolicy(PpoConfig config) {
        this.config = config;
        this.entropyCoefficient = config.entropyCoefficient();
    }

    /**
     * Latent PPO: the engine around this policy.
     *
     * @param config the validated options of {@link Ppo.Builder}
     * @return the optimizer, not yet initialized
     */
    static PpoEngine optimizer(PpoConfig config) {
        PpoEngine.Settings settings = new PpoEngine.Settings("ppo", config.toMap(),
                new PpoEngine.FileFormat(FILE_NAME, FILE_KIND, FILE_VERSION, FILE_VERSION), config.criticLayers(),
                config.unrollLength(), config.minibatches(), config.epochs(), config.learningRate(), config.gamma(),
                config.gaeLambda(), config.rewardScaling(), config.valueLossCoefficient(), config.valueClipping(),
                config.normalizeAdvantages(), config.normalizeObservations(), config.observationClip(),
                config.klToPrior(), config.clip(), config.gradNormClip(), Double.NaN, Double.POSITIVE_INFINITY, false,
                config.resetCriticOnStage(), config.resetNormalizerOnStage(), config.batchSize());
        return new PpoEngine(settings, new LatentGaussianPolicy(config));
    }

    @Override
    public void initialize(NDManager manager, EnvSpec spec, long seed) {
        actor = new GaussianHead(manager, spec.observationDim(), config.actorLayers(), spec.actionDim(), seed,
                GaussianHead.StdMap.SOFTPLUS);
    }

    @Override
    public List<NDArray> parameters() {
        return actor.mlp().parameters();
    }

    @Override
    public int extraWidth() {
        return 0;
    }

    /** {@code eps = mean + std * z} and {@code log pi_theta(eps | s)}. */
    @Override
    public Sample sample(NDArray normalizedObservations, SplittableRandom random, boolean deterministic) {
        GaussianHead.Distribution pi = actor.forward(normalizedObservations);
        NDArray latent = pi.sample(random, deterministic);
        return new Sample(latent, null, pi.logProbability(latent));
    }

    @Override
    public NDArray act(NDArray normalizedObservations, SplittableRandom random, boolean deterministic) {
        return actor.forward(normalizedObservations).sample(random, deterministic);
    }

    @Override
    public boolean recordsStatisticAtSampling() {
        return true;
    }

    @Override
    public Evaluation evaluate(NDArray normalizedObservations, NDArray latents, NDArray extras) {
        return evaluate(normalizedObservations, latents, extras, null);
    }

    /**
     * The log-probabilities, the entropy (with {@code tanhEntropyCorrection}: plus {@code log(1 - tanh(x)^2)} summed
     * over dimensions at one reparameterized sample {@code x = mean + std * z} per row, {@code z} from {@code noise})
     * and the prior penalty.
     */
    @Override
    public Evaluation evaluate(NDArray normalizedObservations, NDArray latents, NDArray extras,
            SplittableRandom noise) {
        GaussianHead.Distribution pi = actor.forward(normalizedObservations);
        NDArray logProbabilities = pi.logProbability(latents);
        NDArray entropy = Gaussian.entropy(pi.std());
        if (config.tanhEntropyCorrection()) {
            if (noise == null) {
                throw new IllegalStateException("the tanh entropy correction needs the engine's noise stream");
            }
            NDArray x = pi.sample(noise, false);
            entropy = entropy.add(tanhLogDetJacobian(x).sum(new int[] {-1}));
        }
        NDArray entropyTerm = entropy.mean();
        return new Evaluation() {
            @Override
            public NDArray statistic() {
                return logProbabilities;
            }

            @Override
            public NDArray[] lossTerms() {
                return new NDArray[] {entropyTerm, PpoLoss.klToPrior(pi.mean(), pi.std(), config.klMode())};
            }

            @Override
            public NDArray addLossTerms(NDArray loss, NDArray[] terms, double klBeta) {
                return loss.sub(PpoLoss.scaled(terms[0], entropyCoefficient))
                        .add(PpoLoss.scaled(terms[1], klBeta));
            }

            @Override
            public NDArray[] diagnostics() {
                return new NDArray[] {pi.std().mean()};
            }
        };
    }

    @Override
    public List<String> lossTermNames() {
        return List.of("entropy", "kl_to_prior");
    }

    @Override
    public List<String> diagnosticNames() {
        return List.of("policy_std");
    }

    /**
     * Afterwards {@code pi_theta(eps | s) = N(0, I)} exactly for every {@code s}: the output layer is zeroed with
     * biases giving mean 0 and std 1, the hidden layers are re-drawn.
     */
    @Override
    public void resetToPrior(long seed) {
        actor.resetToPrior(seed);
    }

    /**
     * {@code log(1 - tanh(x)^2) = 2 (log 2 - x - softplus(-2x))}, the stable form (Brax's {@code TanhBijector}).
     *
     * @param x {@code [n, latentDim]}
     * @return {@code [n, latentDim]}
     */
    static NDArray tanhLogDetJacobian(NDArray x) {
        NDArray softplus = Activation.softPlus(PpoLoss.scaled(x, -2));
        return PpoLoss.scaled(x.add(softplus).neg().add(LOG_TWO), 2);
    }

    private static final float LOG_TWO = (float) Math.log(2);

    /** Re-draws the actor as a newly built network, output layer included (not {@code N(0, I)}). */
    @Override
    public void reinitialize(long seed) {
        actor.mlp().reinitialize(seed);
    }

    @Override
    public void entropyCoefficient(double coefficient) {
        entropyCoefficient = Validate.nonNegative("entropyCoefficient", coefficient);
    }

    @Override
    public boolean hasPriorPenalty() {
        return true;
    }

    @Override
    public String displayName() {
        return "PPO";
    }

    @Override
    public String actionDimName() {
        return "latentDim";
    }

    @Override
    public void writeTo(Map<String, float[]> entries) {
        actor.mlp().writeTo(entries, "actor");
    }

    @Override
    public void readFrom(TensorFile.Content content, Path file) throws IOException {
        actor.mlp().readFrom(content, "actor", file);
    }

    /**
     * The policy's distribution.
     *
     * @param normalizedObservations {@code [batch, observationDim]}
     * @return mean and std {@code [batch, latentDim]}, attached to the input's manager
     */
    GaussianHead.Distribution distribution(NDArray normalizedObservations) {
        return actor.forward(normalizedObservations);
    }
}
