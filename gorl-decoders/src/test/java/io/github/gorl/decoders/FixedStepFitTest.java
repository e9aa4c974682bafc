package io.github.gorl.decoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.Metrics;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fixed-step refits, episode splits, checkpoint selection, fresh reinitialization and the pairwise term. */
class FixedStepFitTest {

    private static FlowMatchingDecoder smallFlow(long seed) {
        FlowMatchingDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(16, 16).build();
        decoder.initialize(ToyData.spec(2, 1), Device.cpu(), seed);
        return decoder;
    }

    private static FitOptions.Builder steps(int trainSteps, int interval) {
        return FitOptions.builder().trainSteps(trainSteps).validationInterval(interval).batchSize(16)
                .samplesPerAction(2).learningRate(3e-2).validationFraction(0.2).patience(0).seed(3);
    }

    /** Collects the metrics of a fit. */
    private static class Recorder implements io.github.gorl.api.TrainingListener {
        final List<Metrics> metrics = new ArrayList<>();

        @Override
        public void onMetrics(Metrics m) {
            metrics.add(m);
        }

        List<Double> values(String name) {
            return metrics.stream().map(m -> m.get(name)).toList();
        }
    }

    @Test
    void stepMode_takesExactlyTrainStepsAndValidatesAtZeroOneEveryIntervalAndTheEnd() {
        try (FlowMatchingDecoder decoder = smallFlow(1)) {
            Recorder recorder = new Recorder();
            FitResult result = decoder.fit(ToyData.uniform(200, 2, 1, 5), steps(7, 3).build(), recorder);
            assertThat(result.steps()).isEqualTo(7);
            assertThat(result.epochs()).isZero();
            assertThat(result.stoppedEarly()).isFalse();
            assertThat(recorder.values("step")).containsExactly(0.0, 1.0, 3.0, 6.0, 7.0);
            assertThat(recorder.metrics.get(0).values().keySet())
                    .containsExactly("step", "train_loss", "validation_loss", "validation_endpoint_mse");
        }
    }

    @Test
    void stepMode_keepsTheParametersOfTheBestValidationStep() {
        try (FlowMatchingDecoder decoder = smallFlow(2); NDManager manager = NDManager.newBaseManager()) {
            NDArray obs = ToyData.normal(manager, 8, 2, 1, 7);
            NDArray eps = ToyData.normal(manager, 8, 1, 1, 8);
            Map<Long, float[]> decodedAt = new LinkedHashMap<>();
            Recorder recorder = new Recorder() {
                @Override
                public void onMetrics(Metrics m) {
                    super.onMetrics(m);
                    decodedAt.put((long) m.get("step"), decoder.decode(obs, eps).toFloatArray());
                }
            };
            // A large learning rate makes the validation loss go up and down.
            FitResult result = decoder.fit(ToyData.uniform(300, 2, 1, 6),
                    steps(40, 5).learningRate(0.2).build(), recorder);
            List<Double> losses = recorder.values("validation_loss");
            double best = losses.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            assertThat(result.selection()).isEqualTo(FitOptions.Selection.VALIDATION_LOSS);
            assertThat(result.bestMetric()).isEqualTo(best);
            assertThat(result.bestValidationLoss()).isEqualTo(best);
            assertThat(recorder.values("step").get(losses.indexOf(best))).isEqualTo((double) result.bestStep());
            assertThat(decoder.decode(obs, eps).toFloatArray()).containsExactly(decodedAt.get(result.bestStep()));
        }
    }

    @Test
    void endpointSelection_picksTheStepWithTheLowestEndpointError() {
        try (FlowMatchingDecoder decoder = smallFlow(3)) {
            Recorder recorder = new Recorder();
            FitResult result = decoder.fit(ToyData.uniform(300, 2, 1, 9),
                    steps(30, 5).learningRate(0.1).selection(FitOptions.Selection.ENDPOINT_MSE).build(), recorder);
            List<Double> endpoint = recorder.values("validation_endpoint_mse");
            double best = endpoint.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            int at = endpoint.indexOf(best);
            assertThat(result.selection()).isEqualTo(FitOptions.Selection.ENDPOINT_MSE);
            assertThat(result.bestMetric()).isEqualTo(best);
            assertThat(result.bestStep()).isEqualTo(recorder.values("step").get(at).longValue());
            assertThat(result.bestValidationLoss()).isEqualTo(recorder.values("validation_loss").get(at));
        }
    }

    @Test
    void endpointError_atStepZeroOfAFreshDecoderIsTheMeanSquaredGapBetweenLatentAndAction() {
        // A fresh decoder is the identity, so the endpoint error is E[(eps - a)^2] = 1 + E[a^2] = 1 + 1/3 for
        // a ~ U(-1, 1): about 1.33 on enough validation pairs.
        try (FlowMatchingDecoder decoder = smallFlow(4)) {
            decoder.reinitialize(4);
            Recorder recorder = new Recorder();
            decoder.fit(ToyData.uniform(20_000, 2, 1, 10), steps(1, 1).build(), recorder);
            assertThat(recorder.values("validation_endpoint_mse").get(0)).isCloseTo(4.0 / 3, within(0.08));
        }
    }

    @Test
    void patience_stopsAfterThatManyValidationsWithoutImprovement() {
        try (FlowMatchingDecoder decoder = smallFlow(5)) {
            Recorder recorder = new Recorder();
            // A learning rate this large makes the validation loss jump about instead of improving steadily.
            FitResult result = decoder.fit(ToyData.uniform(200, 2, 1, 11),
                    steps(400, 1).learningRate(0.3).patience(2).build(), recorder);
            assertThat(result.stoppedEarly()).isTrue();
            assertThat(result.steps()).isLessThan(400);
            assertThat(recorder.metrics.size() - 1 - recorder.values("step").indexOf((double) result.bestStep()))
                    .isEqualTo(2);
        }
    }

    @Test
    void episodeSplit_holdsOutWholeEpisodesAboutTenPercent() {
        SplittableRandom random = new SplittableRandom(12);
        List<Integer> ids = new ArrayList<>();
        for (int episode = 0; episode < 50; episode++) {
            int length = 1 + random.nextInt(30);
            for (int i = 0; i < length; i++) {
                ids.add(1000 + 7 * episode);
            }
        }
        int[] episodeIds = ids.stream().mapToInt(Integer::intValue).toArray();
        // Ids need not be sorted: interleave two halves.
        int[] shuffled = new int[episodeIds.length];
        for (int i = 0; i < shuffled.length; i++) {
            shuffled[i] = episodeIds[(i * 7919) % episodeIds.length];
        }
        DecoderDataset data = ToyData.uniform(shuffled.length, 2, 1, 13).withEpisodes(shuffled);
        int[][] split = MlpDecoder.splitByEpisode(data, 0.1, new SplittableRandom(14));
        Set<Integer> validationIds = new HashSet<>();
        Set<Integer> trainingIds = new HashSet<>();
        Arrays.stream(split[0]).forEach(i -> validationIds.add(shuffled[i]));
        Arrays.stream(split[1]).forEach(i -> trainingIds.add(shuffled[i]));
        assertThat(validationIds).hasSize(5).doesNotContainAnyElementsOf(trainingIds);
        assertThat(trainingIds).hasSize(45);
        assertThat(split[0].length + split[1].length).isEqualTo(shuffled.length);
    }

    @Test
    void episodeSplit_fitNeedsEpisodeIdsAndTwoEpisodes() {
        try (FlowMatchingDecoder decoder = smallFlow(6)) {
            FitOptions options = steps(2, 1).splitByEpisode(true).build();
            assertThatThrownBy(() -> decoder.fit(ToyData.uniform(40, 2, 1, 1), options, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("episode ids");
            DecoderDataset oneEpisode = ToyData.uniform(40, 2, 1, 1).withEpisodes(new int[40]);
            assertThatThrownBy(() -> decoder.fit(oneEpisode, options, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least two episodes, got 1");
            int[] ids = new int[40];
            Arrays.setAll(ids, i -> i / 4);
            assertThat(decoder.fit(ToyData.uniform(40, 2, 1, 1).withEpisodes(ids), options, null).steps())
                    .isEqualTo(2);
        }
    }

    @Test
    void reinitialize_redrawsHiddenLayersZeroesTheLastLayerAndDecodesToTheLatent() {
        for (MlpDecoder decoder : new MlpDecoder[] {FlowMatchingDecoder.builder().hiddenLayers(16, 16).build(),
            DiffusionDecoder.builder().hiddenLayers(16, 16).build()}) {
            try (decoder; NDManager manager = NDManager.newBaseManager()) {
                decoder.initialize(ToyData.spec(2, 1), Device.cpu(), 7);
                decoder.fit(ToyData.uniform(100, 2, 1, 2), steps(3, 1).build(), null);
                float[][] before = decoder.parameterValues();
                assertThat(decoder.reinitialize(99)).isTrue();
                float[][] after = decoder.parameterValues();
                int last = after.length - 1;
                assertThat(after[last]).containsOnly(0f);
                assertThat(after[last - 1]).containsOnly(0f);
                assertThat(after[0]).isNotEqualTo(before[0]);
                NDArray obs = ToyData.normal(manager, 16, 2, 50, 1);
                NDArray eps = ToyData.normal(manager, 16, 1, 1, 2);
                assertThat(decoder.decode(obs, eps).toFloatArray()).as(decoder.name())
                        .containsExactly(eps.toFloatArray());
                // The same seed draws the same network.
                decoder.reinitialize(99);
                assertThat(decoder.parameterValues()[0]).containsExactly(after[0]);
            }
        }
    }

    @Test
    void identityDecoder_reinitializeIsANoOpThatReportsSuccess() {
        try (IdentityDecoder decoder = IdentityDecoder.create()) {
            decoder.initialize(ToyData.spec(2, 1), Device.cpu(), 1);
            assertThat(decoder.reinitialize(5)).isTrue();
        }
    }

    @Test
    void pairwiseTerm_addsTheWeightedDecodeErrorOnEncoderLatentsAndIsSkippedWithout() {
        DecoderDataset plain = ToyData.uniform(200, 2, 1, 15);
        float[] latents = new float[200];
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < latents.length; i++) {
            latents[i] = (float) random.nextGaussian();
        }
        DecoderDataset withLatents = plain.withEncoderLatents(latents);
        double weight = 0.5;
        Recorder with = new Recorder();
        Recorder without = new Recorder();
        for (boolean useLatents : new boolean[] {true, false}) {
            try (DiffusionDecoder decoder = DiffusionDecoder.builder().hiddenLayers(16, 16)
                    .referenceParameterization().pairwiseLossWeight(weight).build()) {
                decoder.initialize(ToyData.spec(2, 1), Device.cpu(), 17);
                FitResult result = decoder.fit(useLatents ? withLatents : plain, steps(4, 2).build(),
                        useLatents ? with : without);
                assertThat(result.trainLoss()).isFinite();
            }
        }
        assertThat(without.values("pairwise_skipped")).containsOnly(1.0);
        assertThat(with.metrics.get(0).values()).doesNotContainKey("pairwise_skipped");
        // Step 0 validates the same initial network: the losses differ by exactly the weighted pairwise term.
        double pairwise = with.values("pairwise_loss").get(0);
        assertThat(pairwise).isPositive();
        assertThat(with.values("validation_loss").get(0) - without.values("validation_loss").get(0))
                .isCloseTo(weight * pairwise, within(1e-5));
        // Training differentiates through the sampler: the runs part ways.
        assertThat(with.values("train_loss").get(1)).isNotEqualTo(without.values("train_loss").get(1));
    }
}
