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
import io.github.gorl.api.TrainingListener;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Decoder fits with the source latents a {@link DecoderDataset} carries ({@code --decoder-source encoder}). */
class SourceLatentsTest {

    private static final FitOptions OPTIONS = new FitOptions(3, 3e-3, 32, 4, 0.2, 5, 11);

    /** Latents unlike any N(0, I) draw: row i holds 100 + i in every column, so each row is recognizable. */
    private static float[] rowTaggedLatents(int rows, int actionDim) {
        float[] latents = new float[rows * actionDim];
        for (int i = 0; i < latents.length; i++) {
            latents[i] = 100 + i / actionDim;
        }
        return latents;
    }

    @Test
    void fit_withDatasetLatents_feedsEachPairItsOwnLatentToTheLoss() {
        DecoderDataset plain = ToyData.uniform(100, 3, 2, 5);
        DecoderDataset data = plain.withLatents(rowTaggedLatents(100, 2));
        Map<Float, Integer> rowOfFirstAction = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            rowOfFirstAction.put(plain.actions()[2 * i], i);
        }
        try (ProbeDecoder decoder = new ProbeDecoder()) {
            decoder.initialize(ToyData.spec(3, 2), Device.cpu(), 1);
            decoder.resetToIdentity();
            decoder.fit(data, OPTIONS, TrainingListener.NONE);
            assertThat(decoder.seen).isNotEmpty();
            // Every row of every minibatch (shuffled, repeated 4 times): its latent is the one recorded for its action.
            for (float[][] batch : decoder.seen) {
                float[] actions = batch[0];
                float[] latents = batch[1];
                assertThat(latents).hasSameSizeAs(actions);
                for (int r = 0; r < actions.length / 2; r++) {
                    Integer row = rowOfFirstAction.get(actions[2 * r]);
                    assertThat(row).isNotNull();
                    assertThat(latents[2 * r]).isEqualTo(100f + row);
                    assertThat(latents[2 * r + 1]).isEqualTo(100f + row);
                }
            }
        }
    }

    @Test
    void fit_withoutDatasetLatents_drawsStandardNormalSources() {
        try (ProbeDecoder decoder = new ProbeDecoder()) {
            decoder.initialize(ToyData.spec(3, 2), Device.cpu(), 1);
            decoder.resetToIdentity();
            decoder.fit(ToyData.uniform(400, 3, 2, 5), OPTIONS, TrainingListener.NONE);
            double sum = 0;
            double squares = 0;
            long n = 0;
            for (float[][] batch : decoder.seen) {
                for (float v : batch[1]) {
                    sum += v;
                    squares += (double) v * v;
                    n++;
                }
            }
            // Thousands of draws: mean within 0.1 of 0 and variance within 0.15 of 1, none of them a data latent.
            assertThat(n).isGreaterThan(5000);
            assertThat(sum / n).isBetween(-0.1, 0.1);
            assertThat(squares / n).isBetween(0.85, 1.15);
        }
    }

    @Test
    void flowFit_fromLatentsEqualToTheActions_hasZeroLossAndStaysTheIdentity() {
        // The flow target is eps - a: with eps = a it is 0, which the identity decoder (zero output layer) already
        // predicts, so nothing moves. Drawn from N(0, I) instead, the same data gives a positive loss.
        DecoderDataset plain = ToyData.uniform(200, 3, 2, 7);
        DecoderDataset data = plain.withLatents(plain.actions().clone());
        try (FlowMatchingDecoder withLatents = flow(); FlowMatchingDecoder fromPrior = flow();
                NDManager manager = NDManager.newBaseManager()) {
            FitResult result = withLatents.fit(data, OPTIONS, TrainingListener.NONE);
            FitResult prior = fromPrior.fit(plain, OPTIONS, TrainingListener.NONE);
            assertThat(result.trainLoss()).isZero();
            assertThat(prior.trainLoss()).isGreaterThan(0.1);
            NDArray obs = ToyData.normal(manager, 16, 3, 1, 2);
            NDArray eps = ToyData.normal(manager, 16, 2, 1, 3);
            assertThat(withLatents.decode(obs, eps).toFloatArray()).isEqualTo(eps.toFloatArray());
        }
    }

    @Test
    void diffusionFit_dependsOnTheGivenLatentsOnly() {
        DecoderDataset plain = ToyData.uniform(200, 3, 2, 7);
        float[] latentsA;
        float[] latentsB;
        try (NDManager manager = NDManager.newBaseManager()) {
            latentsA = ToyData.normal(manager, 200, 2, 1, 21).toFloatArray();
            latentsB = ToyData.normal(manager, 200, 2, 1, 22).toFloatArray();
        }
        double a1;
        double a2;
        double b;
        try (DiffusionDecoder d1 = diffusion(); DiffusionDecoder d2 = diffusion(); DiffusionDecoder d3 = diffusion()) {
            a1 = d1.fit(plain.withLatents(latentsA), OPTIONS, TrainingListener.NONE).trainLoss();
            a2 = d2.fit(plain.withLatents(latentsA.clone()), OPTIONS, TrainingListener.NONE).trainLoss();
            b = d3.fit(plain.withLatents(latentsB), OPTIONS, TrainingListener.NONE).trainLoss();
        }
        assertThat(a2).isEqualTo(a1);
        assertThat(b).isNotEqualTo(a1);
    }

    @Test
    void fit_withGaussianSource_drawsEachPairsSourceAfreshAroundItsMean() {
        // Pair i: mean 100 + i, std 0.01 in both columns; every use draws anew, so the 4 repeats of a row differ.
        DecoderDataset plain = ToyData.uniform(100, 3, 2, 5);
        float[] std = new float[200];
        java.util.Arrays.fill(std, 0.01f);
        DecoderDataset data = plain.withGaussianSource(rowTaggedLatents(100, 2), std);
        Map<Float, Integer> rowOfFirstAction = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            rowOfFirstAction.put(plain.actions()[2 * i], i);
        }
        try (ProbeDecoder decoder = new ProbeDecoder()) {
            decoder.initialize(ToyData.spec(3, 2), Device.cpu(), 1);
            decoder.resetToIdentity();
            decoder.fit(data, OPTIONS, TrainingListener.NONE);
            Map<Integer, java.util.Set<Float>> drawsOfRow = new HashMap<>();
            int uses = 0;
            for (float[][] batch : decoder.seen) {
                float[] actions = batch[0];
                float[] latents = batch[1];
                for (int r = 0; r < actions.length / 2; r++) {
                    int row = rowOfFirstAction.get(actions[2 * r]);
                    assertThat((double) latents[2 * r]).isCloseTo(100.0 + row, within(0.06));
                    assertThat((double) latents[2 * r + 1]).isCloseTo(100.0 + row, within(0.06));
                    drawsOfRow.computeIfAbsent(row, k -> new java.util.HashSet<>()).add(latents[2 * r]);
                    uses++;
                }
            }
            // Fresh draws: most uses see a value of their own (measured: 1039 distinct in 1200 uses; the validation
            // pass redraws with its fixed seed), where fixed latents would give one value per row, 100 in all.
            int distinct = drawsOfRow.values().stream().mapToInt(java.util.Set::size).sum();
            assertThat(uses).isGreaterThan(1000);
            assertThat(distinct).isGreaterThan(uses * 3 / 4);
        }
    }

    @Test
    void withGaussianSource_ofTheWrongLengthOrANonPositiveStd_isRejected() {
        DecoderDataset data = ToyData.uniform(10, 3, 2, 1);
        float[] ones = new float[20];
        java.util.Arrays.fill(ones, 1f);
        assertThatThrownBy(() -> data.withGaussianSource(new float[19], ones))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source mean (length 19)");
        float[] zeroStd = ones.clone();
        zeroStd[5] = 0f;
        assertThatThrownBy(() -> data.withGaussianSource(new float[20], zeroStd))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source std must be > 0, got 0.0 at row 2, dimension 1");
        DecoderDataset gaussian = data.withLatents(new float[20]).withGaussianSource(new float[20], ones);
        assertThat(gaussian.latents()).isNull();
        assertThat(gaussian.sourceStd()).isSameAs(ones);
        assertThat(data.sourceMean()).isNull();
    }

    @Test
    void withLatents_ofTheWrongLengthOrNotFinite_isRejected() {
        DecoderDataset data = ToyData.uniform(10, 3, 2, 1);
        assertThatThrownBy(() -> data.withLatents(new float[19])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latents (length 19)");
        float[] bad = new float[20];
        bad[3] = Float.NaN;
        assertThatThrownBy(() -> data.withLatents(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latents");
        assertThat(data.latents()).isNull();
        assertThat(data.withLatents(new float[20]).latents()).hasSize(20);
    }

    private static FlowMatchingDecoder flow() {
        FlowMatchingDecoder d = FlowMatchingDecoder.builder().hiddenLayers(32, 32).build();
        d.initialize(ToyData.spec(3, 2), Device.cpu(), 3);
        d.resetToIdentity();
        return d;
    }

    private static DiffusionDecoder diffusion() {
        DiffusionDecoder d = DiffusionDecoder.builder().hiddenLayers(32, 32).build();
        d.initialize(ToyData.spec(3, 2), Device.cpu(), 3);
        d.resetToIdentity();
        return d;
    }

    /** A flow-like decoder that records, per training minibatch, the actions and the source latents it got. */
    private static final class ProbeDecoder extends MlpDecoder {
        final List<float[][]> seen = new ArrayList<>();

        ProbeDecoder() {
            super(new ProbeBuilder());
        }

        @Override
        protected double samplingTime(int step) {
            return 1.0;
        }

        @Override
        protected NDArray samplerStep(int step, NDArray x, NDArray output) {
            return x.sub(output);
        }

        @Override
        protected NDArray trainingLoss(NDArray normalizedObservations, NDArray actions, SplittableRandom random) {
            NDArray eps = sourceLatents(actions, random);
            seen.add(new float[][] {actions.toFloatArray(), eps.toFloatArray()});
            NDArray t = actions.getManager().ones(new ai.djl.ndarray.types.Shape(actions.getShape().get(0), 1));
            return network(normalizedObservations, eps, t).sub(eps.sub(actions)).square().mean();
        }

        @Override
        protected String fileKind() {
            return "probe-decoder";
        }

        @Override
        public String name() {
            return "probe";
        }
    }

    private static final class ProbeBuilder extends MlpDecoder.Builder<ProbeBuilder> {
        ProbeBuilder() {
            super(16);
        }

        @Override
        protected ProbeBuilder self() {
            return this;
        }
    }
}
