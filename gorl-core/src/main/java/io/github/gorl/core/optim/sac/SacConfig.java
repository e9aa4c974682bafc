package io.github.gorl.core.optim.sac;

import io.github.gorl.core.optim.GaussianHead;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The validated options of {@link Sac.Builder}; {@code klToPrior} and {@code gradNormClip} are initial values
 * (stages override them), a NaN {@code targetEntropy} means {@code -latentDim}.
 */
record SacConfig(
        int[] actorLayers,
        int[] criticLayers,
        int bufferCapacity,
        int batchSize,
        int learningStarts,
        double updatesPerStep,
        double gamma,
        double tau,
        double actorLearningRate,
        double criticLearningRate,
        double alphaLearningRate,
        Sac.Regularization regularization,
        double initialAlpha,
        boolean autoTuneAlpha,
        double targetEntropy,
        double rewardScaling,
        boolean normalizeObservations,
        double observationClip,
        double klToPrior,
        double gradNormClip,
        boolean resetCriticOnStage,
        int criticWarmupUpdates,
        boolean resetNormalizerOnStage,
        boolean saveReplayBuffer,
        int logInterval) {

    /** Every option by its builder name, for {@code run.json}. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("algorithm", "sac");
        map.put("actorLayers", join(actorLayers));
        map.put("criticLayers", join(criticLayers));
        map.put("activation", "silu");
        map.put("minStd", GaussianHead.MIN_STD);
        map.put("maxStd", GaussianHead.MAX_STD);
        map.put("bufferCapacity", bufferCapacity);
        map.put("batchSize", batchSize);
        map.put("learningStarts", learningStarts);
        map.put("updatesPerStep", updatesPerStep);
        map.put("gamma", gamma);
        map.put("tau", tau);
        map.put("actorLearningRate", actorLearningRate);
        map.put("criticLearningRate", criticLearningRate);
        map.put("alphaLearningRate", alphaLearningRate);
        map.put("regularization", regularization.name());
        map.put("initialAlpha", initialAlpha);
        map.put("autoTuneAlpha", autoTuneAlpha);
        map.put("targetEntropy", Double.isNaN(targetEntropy) ? "-latentDim" : targetEntropy);
        map.put("rewardScaling", rewardScaling);
        map.put("normalizeObservations", normalizeObservations);
        map.put("observationClip", observationClip);
        map.put("klToPrior", klToPrior);
        map.put("gradNormClip", gradNormClip);
        map.put("resetCriticOnStage", resetCriticOnStage);
        map.put("criticWarmupUpdates", criticWarmupUpdates);
        map.put("resetNormalizerOnStage", resetNormalizerOnStage);
        map.put("saveReplayBuffer", saveReplayBuffer);
        map.put("logInterval", logInterval);
        return map;
    }

    private static String join(int[] widths) {
        return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SacConfig c && toMap().equals(c.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "SacConfig" + toMap();
    }
}
