package io.github.gorl.baselines;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The validated options of a generative-policy baseline; see {@link BaselineBuilder}. */
record BaselineConfig(
        String name,
        int[] policyLayers,
        int[] criticLayers,
        int steps,
        int timeEmbeddingDim,
        int mcSamples,
        double denoisingStd,
        int unrollLength,
        int minibatches,
        int epochs,
        double learningRate,
        double gamma,
        double gaeLambda,
        double rewardScaling,
        double valueLossCoefficient,
        double clip,
        double dualClip,
        double targetKl,
        double gradNormClip,
        boolean normalizeObservations,
        boolean normalizeAdvantages,
        double observationClip,
        double outputScale,
        boolean perEntryRatios,
        double logRatioClip,
        boolean gridTimes,
        boolean noiseSupervision,
        int batchSize,
        boolean clipActions) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("policyLayers", Arrays.toString(policyLayers));
        m.put("criticLayers", Arrays.toString(criticLayers));
        m.put("steps", steps);
        m.put("timeEmbeddingDim", timeEmbeddingDim);
        if (name.equals("fpo")) {
            m.put("mcSamples", mcSamples);
        } else {
            m.put("denoisingStd", denoisingStd);
        }
        m.put("unrollLength", unrollLength);
        m.put("minibatches", minibatches);
        m.put("epochs", epochs);
        m.put("learningRate", learningRate);
        m.put("gamma", gamma);
        m.put("gaeLambda", gaeLambda);
        m.put("rewardScaling", rewardScaling);
        m.put("valueLossCoefficient", valueLossCoefficient);
        m.put("clip", clip);
        if (!Double.isNaN(dualClip)) {
            m.put("dualClip", dualClip);
        }
        if (targetKl != Double.POSITIVE_INFINITY) {
            m.put("targetKl", targetKl);
        }
        m.put("gradNormClip", gradNormClip);
        m.put("normalizeObservations", normalizeObservations);
        m.put("normalizeAdvantages", normalizeAdvantages);
        m.put("observationClip", observationClip);
        // Named only when set, so that the configuration of a default builder reads as before.
        if (outputScale != 1) {
            m.put("outputScale", outputScale);
        }
        if (batchSize > 0) {
            m.put("batchSize", batchSize);
        }
        if (!clipActions) {
            m.put("clipActions", false);
        }
        if (perEntryRatios) {
            m.put(name.equals("fpo") ? "perSampleRatios" : "perStepRatios", true);
        }
        if (!Double.isNaN(logRatioClip)) {
            m.put("logRatioClip", logRatioClip);
        }
        if (gridTimes) {
            m.put("gridTimes", true);
        }
        if (noiseSupervision) {
            m.put("noiseSupervision", true);
        }
        return m;
    }
}
