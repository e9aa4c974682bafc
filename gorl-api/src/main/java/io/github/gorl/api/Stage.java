package io.github.gorl.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage of a GoRL schedule: a decoder refinement (skipped in stage 0, which starts from the
 * identity decoder) followed by an encoder phase.
 *
 * @param encoderSteps environment steps of latent-policy optimization, {@code > 0}
 * @param decoderEpochs epochs of decoder refinement at the start of this stage, {@code >= 0}; must be
 *     0 for stage 0
 * @param klBeta the weight {@code beta} of {@code KL(pi_theta(eps|s) || N(0, I))} in the encoder loss,
 *     {@code >= 0}
 * @param clip the PPO ratio clip {@code epsilon} of this stage, in {@code (0, 1)}; ignored by optimizers
 *     without a clipped ratio
 * @param gradNormClip the global gradient-norm clip of this stage, {@code > 0}
 * @param learningRate the encoder's learning rate in this stage, {@code > 0}, or NaN to keep the optimizer's
 * @param entropyCoefficient the encoder's entropy bonus in this stage, {@code >= 0}, or NaN to keep the optimizer's
 * @param encoderInit how the encoder starts this stage
 */
public record Stage(long encoderSteps, int decoderEpochs, double klBeta, double clip, double gradNormClip,
        double learningRate, double entropyCoefficient, EncoderInit encoderInit) {

    /**
     * A stage that keeps the optimizer's learning rate and entropy bonus and starts the encoder at the prior
     * ({@link EncoderInit#PRIOR}).
     *
     * @param encoderSteps environment steps of latent-policy optimization, {@code > 0}
     * @param decoderEpochs epochs of decoder refinement at the start of this stage, {@code >= 0}
     * @param klBeta the prior penalty's weight, {@code >= 0}
     * @param clip the PPO ratio clip, in {@code (0, 1)}
     * @param gradNormClip the global gradient-norm clip, {@code > 0}
     */
    public Stage(long encoderSteps, int decoderEpochs, double klBeta, double clip, double gradNormClip) {
        this(encoderSteps, decoderEpochs, klBeta, clip, gradNormClip, Double.NaN, Double.NaN, EncoderInit.PRIOR);
    }

    /** Validates every field. */
    public Stage {
        Validate.positive("encoderSteps", encoderSteps);
        Validate.nonNegative("decoderEpochs", decoderEpochs);
        Validate.nonNegative("klBeta", klBeta);
        if (!(clip > 0 && clip < 1)) {
            throw new IllegalArgumentException("clip must be in (0, 1), got " + clip);
        }
        Validate.positive("gradNormClip", gradNormClip);
        if (!Double.isNaN(learningRate)) {
            Validate.positive("learningRate", learningRate);
        }
        if (!Double.isNaN(entropyCoefficient)) {
            Validate.nonNegative("entropyCoefficient", entropyCoefficient);
        }
        Validate.notNull("encoderInit", encoderInit);
    }

    /**
     * This stage with another learning rate.
     *
     * @param rate {@code > 0}, or NaN to keep the optimizer's
     * @return the stage
     */
    public Stage withLearningRate(double rate) {
        return new Stage(encoderSteps, decoderEpochs, klBeta, clip, gradNormClip, rate, entropyCoefficient,
                encoderInit);
    }

    /**
     * This stage with another entropy bonus.
     *
     * @param coefficient {@code >= 0}, or NaN to keep the optimizer's
     * @return the stage
     */
    public Stage withEntropyCoefficient(double coefficient) {
        return new Stage(encoderSteps, decoderEpochs, klBeta, clip, gradNormClip, learningRate, coefficient,
                encoderInit);
    }

    /**
     * This stage with another encoder start.
     *
     * @param init how the encoder starts
     * @return the stage
     */
    public Stage withEncoderInit(EncoderInit init) {
        return new Stage(encoderSteps, decoderEpochs, klBeta, clip, gradNormClip, learningRate, entropyCoefficient,
                init);
    }

    /**
     * This stage with another number of decoder epochs.
     *
     * @param epochs the epochs of the refit before this stage, {@code >= 0}
     * @return the stage
     */
    public Stage withDecoderEpochs(int epochs) {
        return new Stage(encoderSteps, epochs, klBeta, clip, gradNormClip, learningRate, entropyCoefficient,
                encoderInit);
    }

    /**
     * This stage with another KL-to-prior weight.
     *
     * @param beta the weight, {@code >= 0}
     * @return the stage
     */
    public Stage withKlBeta(double beta) {
        return new Stage(encoderSteps, decoderEpochs, beta, clip, gradNormClip, learningRate, entropyCoefficient,
                encoderInit);
    }

    /**
     * This stage with other clips.
     *
     * @param ratioClip the PPO clip, in {@code (0, 1)}
     * @param gradientNormClip the gradient-norm clip, {@code > 0}
     * @return the stage
     */
    public Stage withClips(double ratioClip, double gradientNormClip) {
        return new Stage(encoderSteps, decoderEpochs, klBeta, ratioClip, gradientNormClip, learningRate,
                entropyCoefficient, encoderInit);
    }

    /**
     * The stage as {@code run.json} and checkpoints record it.
     *
     * @return {@code {encoderSteps, decoderEpochs, klBeta, clip, gradNormClip}}, in that order, then
     *     {@code learningRate} and {@code entropyCoefficient} where set and {@code encoderInit} where not
     *     {@link EncoderInit#PRIOR}
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("encoderSteps", encoderSteps);
        m.put("decoderEpochs", decoderEpochs);
        m.put("klBeta", klBeta);
        m.put("clip", clip);
        m.put("gradNormClip", gradNormClip);
        if (!Double.isNaN(learningRate)) {
            m.put("learningRate", learningRate);
        }
        if (!Double.isNaN(entropyCoefficient)) {
            m.put("entropyCoefficient", entropyCoefficient);
        }
        if (encoderInit != EncoderInit.PRIOR) {
            m.put("encoderInit", encoderInit.name());
        }
        return m;
    }
}
