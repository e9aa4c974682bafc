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
 */
public record Stage(long encoderSteps, int decoderEpochs, double klBeta, double clip, double gradNormClip) {

    /** Validates every field. */
    public Stage {
        Validate.positive("encoderSteps", encoderSteps);
        Validate.nonNegative("decoderEpochs", decoderEpochs);
        Validate.nonNegative("klBeta", klBeta);
        if (!(clip > 0 && clip < 1)) {
            throw new IllegalArgumentException("clip must be in (0, 1), got " + clip);
        }
        Validate.positive("gradNormClip", gradNormClip);
    }

    /**
     * The stage as {@code run.json} and checkpoints record it.
     *
     * @return {@code {encoderSteps, decoderEpochs, klBeta, clip, gradNormClip}}, in that order
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("encoderSteps", encoderSteps);
        m.put("decoderEpochs", decoderEpochs);
        m.put("klBeta", klBeta);
        m.put("clip", clip);
        m.put("gradNormClip", gradNormClip);
        return m;
    }
}
