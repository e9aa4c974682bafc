package io.github.gorl.core.optim.ppo;

import io.github.gorl.core.optim.GaussianHead;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The validated options of {@link Ppo.Builder}; the stage knobs here are initial values. */
record PpoConfig(
        int[] actorLayers,
        int[] criticLayers,
        int unrollLength,
        int minibatches,
        int epochs,
        double learningRate,
        double gamma,
        double gaeLambda,
        double rewardScaling,
        double entropyCoefficient,
        double valueLossCoefficient,
        boolean valueClipping,
        boolean normalizeAdvantages,
        boolean normalizeObservations,
        double observationClip,
        Ppo.KlMode klMode,
        double klToPrior,
        double clip,
        double gradNormClip,
        boolean resetCriticOnStage,
        boolean resetNormalizerOnStage,
        int batchSize,
        boolean tanhEntropyCorrection) {

    /** Every option by its builder name, for {@code run.json}. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("algorithm", "ppo");
        map.put("actorLayers", join(actorLayers));
        map.put("criticLayers", join(criticLayers));
        map.put("activation", "silu");
        map.put("minStd", GaussianHead.MIN_STD);
        map.put("maxStd", GaussianHead.MAX_STD);
        map.put("unrollLength", unrollLength);
        map.put("minibatches", minibatches);
        map.put("epochs", epochs);
        map.put("learningRate", learningRate);
        map.put("gamma", gamma);
        map.put("gaeLambda", gaeLambda);
        map.put("rewardScaling", rewardScaling);
        map.put("entropyCoefficient", entropyCoefficient);
        map.put("valueLossCoefficient", valueLossCoefficient);
        map.put("valueClipping", valueClipping);
        map.put("normalizeAdvantages", normalizeAdvantages);
        map.put("normalizeObservations", normalizeObservations);
        map.put("observationClip", observationClip);
        map.put("klMode", klMode.name());
        map.put("klToPrior", klToPrior);
        map.put("clip", clip);
        map.put("gradNormClip", gradNormClip);
        map.put("resetCriticOnStage", resetCriticOnStage);
        map.put("resetNormalizerOnStage", resetNormalizerOnStage);
        if (batchSize > 0) {
            map.put("batchSize", batchSize);
        }
        if (tanhEntropyCorrection) {
            map.put("tanhEntropyCorrection", true);
        }
        return map;
    }

    private static String join(int[] widths) {
        return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PpoConfig c && toMap().equals(c.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "PpoConfig" + toMap();
    }
}
