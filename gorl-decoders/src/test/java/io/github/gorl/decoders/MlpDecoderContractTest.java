package io.github.gorl.decoders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.Metrics;
import io.github.gorl.api.Phase;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.diffusion.NoiseSchedule;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link io.github.gorl.api.GenerativeDecoder} contract, checked for both MLP decoders. */
class MlpDecoderContractTest {

    /** A decoder kind: small networks built from hidden widths, so that the contract tests stay fast. */
    static Stream<Arguments> decoders() {
        Function<int[], MlpDecoder> flow = hidden -> FlowMatchingDecoder.builder().hiddenLayers(hidden).build();
        Function<int[], MlpDecoder> diffusion = hidden -> DiffusionDecoder.builder().hiddenLayers(hidden).build();
        Function<int[], MlpDecoder> linearDiffusion = hidden -> DiffusionDecoder.builder().hiddenLayers(hidden)
                .schedule(NoiseSchedule.LINEAR).trainingTimesteps(1000).steps(20).build();
        return Stream.of(Arguments.of("flow", flow), Arguments.of("diffusion", diffusion),
                Arguments.of("diffusion-linear", linearDiffusion));
    }

    private static MlpDecoder initialized(Function<int[], MlpDecoder> kind, int obsDim, int actDim, long seed,
            int... hidden) {
        MlpDecoder decoder = kind.apply(hidden.length == 0 ? new int[] {32, 32} : hidden);
        decoder.initialize(ToyData.spec(obsDim, actDim), Device.cpu(), seed);
        return decoder;
    }

    private static FitOptions quick(int epochs) {
        return new FitOptions(epochs, 3e-3, 64, 4, 0.2, 5, 11);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void resetToIdentity_decodeReturnsLatentExactly(String name, Function<int[], MlpDecoder> kind) {
        // The sampler itself (shortcut off) and the shortcut that skips it both give the latents.
        for (boolean shortcut : new boolean[] {false, true}) {
            resetToIdentity_decodeReturnsLatentExactly(kind, shortcut);
        }
    }

    private static void resetToIdentity_decodeReturnsLatentExactly(Function<int[], MlpDecoder> kind,
            boolean shortcut) {
        try (MlpDecoder decoder = initialized(kind, 5, 3, 1, 64, 64);
                NDManager manager = NDManager.newBaseManager()) {
            decoder.allowIdentityShortcut(shortcut);
            // Before the first fit, and again after a fit moved the network and the normalizer away.
            for (int round = 0; round < 2; round++) {
                decoder.resetToIdentity();
                assertThat(decoder.decodesAsIdentity()).isEqualTo(shortcut);
                NDArray obs = ToyData.normal(manager, 257, 5, 100, 2 + round);
                NDArray eps = ToyData.normal(manager, 257, 3, 1, 3 + round);
                float[] decoded = decoder.decode(obs, eps).toFloatArray();
                assertThat(decoded).isEqualTo(eps.toFloatArray());
                decoder.fit(ToyData.uniform(200, 5, 3, 4), quick(2), TrainingListener.NONE);
                assertThat(decoder.decode(obs, eps).toFloatArray()).isNotEqualTo(eps.toFloatArray());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void resetToIdentity_keepsExtremeAndSignedZeroLatentsBitForBit(String name, Function<int[], MlpDecoder> kind) {
        for (boolean shortcut : new boolean[] {false, true}) {
            keepsExtremeAndSignedZeroLatentsBitForBit(kind, shortcut);
        }
    }

    private static void keepsExtremeAndSignedZeroLatentsBitForBit(Function<int[], MlpDecoder> kind,
            boolean shortcut) {
        try (MlpDecoder decoder = initialized(kind, 2, 4, 1);
                NDManager manager = NDManager.newBaseManager()) {
            decoder.allowIdentityShortcut(shortcut);
            decoder.resetToIdentity();
            float[] latents = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -7.5f, 12f, 3.3333333f};
            NDArray eps = manager.create(latents, new Shape(2, 4));
            NDArray obs = manager.create(new float[] {Float.MAX_VALUE, -1e20f, 0f, 1f}, new Shape(2, 2));
            float[] decoded = decoder.decode(obs, eps).toFloatArray();
            for (int i = 0; i < latents.length; i++) {
                assertThat(Float.floatToRawIntBits(decoded[i])).as("element %d", i)
                        .isEqualTo(Float.floatToRawIntBits(latents[i]));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void identityShortcut_holdsExactlyWhileTheOutputLayerIsZero(String name, Function<int[], MlpDecoder> kind,
            @TempDir Path dir) throws Exception {
        try (MlpDecoder decoder = initialized(kind, 4, 2, 1);
                MlpDecoder other = initialized(kind, 4, 2, 9)) {
            // A new network's output layer is random; the identity starts at resetToIdentity.
            assertThat(decoder.decodesAsIdentity()).isFalse();
            decoder.resetToIdentity();
            assertThat(decoder.decodesAsIdentity()).isTrue();
            decoder.save(Files.createDirectories(dir.resolve("identity")));
            decoder.fit(ToyData.uniform(200, 4, 2, 4), quick(2), TrainingListener.NONE);
            assertThat(decoder.decodesAsIdentity()).isFalse();
            decoder.save(Files.createDirectories(dir.resolve("fitted")));
            // Loading follows the file: a saved identity decoder (a stage-0 checkpoint) decodes by the shortcut.
            other.load(dir.resolve("identity"));
            assertThat(other.decodesAsIdentity()).isTrue();
            other.load(dir.resolve("fitted"));
            assertThat(other.decodesAsIdentity()).isFalse();
            assertThat(decoder.reinitialize(5)).isTrue();
            assertThat(decoder.decodesAsIdentity()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void identityShortcut_isRestoredWhenAFitFails(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 4, 2, 1)) {
            decoder.resetToIdentity();
            TrainingListener failing = new TrainingListener() {
                @Override
                public void onMetrics(Metrics metrics) {
                    throw new IllegalStateException("stop");
                }
            };
            assertThatThrownBy(() -> decoder.fit(ToyData.uniform(200, 4, 2, 4), quick(2), failing))
                    .hasMessage("stop");
            assertThat(decoder.decodesAsIdentity()).isTrue();
        }
    }

    @Test
    void identityShortcut_isOffForAStochasticDiffusionSampler() {
        try (MlpDecoder decoder = DiffusionDecoder.builder().hiddenLayers(8).eta(1.0).build()) {
            decoder.initialize(ToyData.spec(2, 2), Device.cpu(), 1);
            decoder.resetToIdentity();
            assertThat(decoder.decodesAsIdentity()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void decode_attachesResultToObservationManagerAndLeaksNothing(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1);
                NDManager manager = NDManager.newBaseManager();
                NDManager callerScope = manager.newSubManager()) {
            NDArray obs = ToyData.normal(callerScope, 16, 3, 1, 1);
            NDArray eps = ToyData.normal(manager, 16, 2, 1, 2);
            decoder.decode(obs, eps);
            decoder.sample(obs, 3);
            int decoderArrays = decoder.liveArrayCount();
            for (int i = 0; i < 20; i++) {
                NDArray out = decoder.decode(obs, eps);
                assertThat(out.getManager()).isSameAs(callerScope);
                assertThat(decoder.sample(obs, 3).getManager()).isSameAs(callerScope);
            }
            assertThat(decoder.liveArrayCount()).isEqualTo(decoderArrays);
            assertThat(decoderArrays).isGreaterThan(8);
            assertThat(eps.getManager()).isSameAs(manager);
            assertThat(obs.getManager()).isSameAs(callerScope);
            callerScope.close();
            assertThat(manager.getManagedArrays()).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void sample_returnsBatchBySamplesByAction(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1);
                NDManager manager = NDManager.newBaseManager()) {
            decoder.resetToIdentity();
            NDArray samples = decoder.sample(ToyData.normal(manager, 3, 3, 1, 1), 4000);
            assertThat(samples.getShape()).isEqualTo(new Shape(3, 4000, 2));
            // The identity pushes N(0, I) forward: standard normal samples, fresh per call.
            float[] values = samples.toFloatArray();
            double mean = 0;
            double square = 0;
            for (float v : values) {
                mean += v;
                square += v * v;
            }
            mean /= values.length;
            assertThat(mean).isCloseTo(0, org.assertj.core.data.Offset.offset(0.05));
            assertThat(square / values.length).isCloseTo(1, org.assertj.core.data.Offset.offset(0.05));
            assertThat(decoder.sample(ToyData.normal(manager, 3, 3, 1, 1), 4000).toFloatArray()).isNotEqualTo(values);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void decode_beforeInitialize_throwsIllegalState(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = kind.apply(new int[] {8});
                NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(1, 2)), manager.zeros(new Shape(1, 1))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not initialized");
            assertThatThrownBy(decoder::resetToIdentity).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void decode_wrongShapes_throwIllegalArgumentNamingExpectedAndActual(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1);
                NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(4, 5)), manager.zeros(new Shape(4, 2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[batch, 3]").hasMessageContaining("(4, 5)");
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(4, 3)), manager.zeros(new Shape(5, 2))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(4, 2)").hasMessageContaining("(5, 2)");
            assertThatThrownBy(() -> decoder.decode(manager.zeros(new Shape(4, 3)), manager.zeros(new Shape(4))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4)");
            assertThatThrownBy(() -> decoder.sample(manager.zeros(new Shape(4, 3)), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samplesPerObservation");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void saveThenLoad_givesIdenticalDecodes(String name, Function<int[], MlpDecoder> kind, @TempDir Path dir)
            throws IOException {
        try (MlpDecoder trained = initialized(kind, 3, 2, 1);
                MlpDecoder restored = initialized(kind, 3, 2, 99);
                NDManager manager = NDManager.newBaseManager()) {
            trained.resetToIdentity();
            trained.fit(ToyData.uniform(300, 3, 2, 5), quick(2), TrainingListener.NONE);
            trained.save(dir);
            restored.load(dir);
            NDArray obs = ToyData.normal(manager, 50, 3, 3, 6);
            NDArray eps = ToyData.normal(manager, 50, 2, 1, 7);
            float[] expected = trained.decode(obs, eps).toFloatArray();
            assertThat(restored.decode(obs, eps).toFloatArray()).isEqualTo(expected);
            assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                    .containsExactly(trained.name() + "-decoder.bin");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void load_withOtherDims_failsNamingBothValues(String name, Function<int[], MlpDecoder> kind, @TempDir Path dir)
            throws IOException {
        try (MlpDecoder saved = initialized(kind, 3, 2, 1, 16, 16)) {
            saved.save(dir);
        }
        try (MlpDecoder otherObs = initialized(kind, 4, 2, 1, 16, 16)) {
            assertThatThrownBy(() -> otherObs.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("observationDim 3 in the file, 4 in this decoder");
        }
        try (MlpDecoder otherHidden = initialized(kind, 3, 2, 1, 16, 32)) {
            assertThatThrownBy(() -> otherHidden.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("hiddenLayers [16, 16] in the file, [16, 32] in this decoder");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void load_truncatedOrCorruptedFile_throwsIOException(String name, Function<int[], MlpDecoder> kind,
            @TempDir Path dir) throws IOException {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1)) {
            decoder.save(dir);
            Path file = dir.resolve(decoder.name() + "-decoder.bin");
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
            assertThatThrownBy(() -> decoder.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated");
            byte[] corrupted = bytes.clone();
            corrupted[bytes.length / 2] ^= 0x40;
            Files.write(file, corrupted);
            assertThatThrownBy(() -> decoder.load(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("corrupted");
            Files.delete(file);
            assertThatThrownBy(() -> decoder.load(dir)).isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_reportsEpochMetricsInDecoderPhase(String name, Function<int[], MlpDecoder> kind) {
        List<Metrics> metrics = new ArrayList<>();
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1)) {
            FitResult result = decoder.fit(ToyData.uniform(200, 3, 2, 5), quick(3), new TrainingListener() {
                @Override
                public void onMetrics(Metrics m) {
                    metrics.add(m);
                }
            });
            assertThat(result.epochs()).isEqualTo(3);
            assertThat(metrics).hasSize(3);
            assertThat(metrics).allSatisfy(m -> {
                assertThat(m.phase()).isEqualTo(Phase.DECODER);
                assertThat(m.values().keySet()).containsExactly("epoch", "train_loss", "validation_loss");
                assertThat(m.get("train_loss")).isFinite().isPositive();
                assertThat(m.get("validation_loss")).isFinite().isPositive();
            });
            assertThat(metrics.get(2).get("epoch")).isEqualTo(3.0);
            assertThat(result.trainLoss()).isEqualTo(metrics.get(2).get("train_loss"));
            assertThat(result.validationLoss()).isEqualTo(metrics.get(2).get("validation_loss"));
            assertThat(result.bestValidationLoss())
                    .isEqualTo(metrics.stream().mapToDouble(m -> m.get("validation_loss")).min().orElseThrow());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_withoutValidationSplit_runsEveryEpochAndReportsNaNValidation(String name,
            Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1)) {
            FitResult result = decoder.fit(ToyData.uniform(100, 3, 2, 5),
                    new FitOptions(2, 1e-3, 64, 2, 0.0, 1, 0), null);
            assertThat(result.epochs()).isEqualTo(2);
            assertThat(result.stoppedEarly()).isFalse();
            assertThat(result.trainLoss()).isFinite();
            assertThat(result.validationLoss()).isNaN();
            assertThat(result.bestValidationLoss()).isNaN();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_stopsEarlyOnTriviallyFitData(String name, Function<int[], MlpDecoder> kind) {
        float[] obs = new float[64];
        float[] act = new float[64];
        Arrays.fill(obs, 0.5f);
        Arrays.fill(act, 0.3f);
        try (MlpDecoder decoder = initialized(kind, 1, 1, 1)) {
            FitResult result = decoder.fit(DecoderDataset.of(1, 1, obs, act),
                    new FitOptions(200, 1e-2, 32, 4, 0.25, 1, 0), TrainingListener.NONE);
            assertThat(result.stoppedEarly()).isTrue();
            assertThat(result.epochs()).isLessThan(200);
            assertThat(result.bestValidationLoss()).isLessThanOrEqualTo(result.validationLoss());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_keepsTheBestValidationParameters(String name, Function<int[], MlpDecoder> kind) {
        DecoderDataset data = ToyData.uniform(200, 3, 2, 5);
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1)) {
            // A learning rate large enough that the last epoch is worse than an earlier one.
            FitResult result = decoder.fit(data, new FitOptions(10, 1e-1, 32, 2, 0.25, 100, 3), null);
            assertThat(result.validationLoss()).isGreaterThan(result.bestValidationLoss());
            // Re-evaluating the kept parameters on the same split (same seeds, a negligible step) gives the
            // best loss, not the last one.
            FitResult again = decoder.fit(data, new FitOptions(1, 1e-12, 32, 2, 0.25, 1, 3), null);
            assertThat(again.validationLoss()).isCloseTo(result.bestValidationLoss(),
                    org.assertj.core.data.Offset.offset(1e-5 * result.bestValidationLoss()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_nonFiniteLoss_throwsIllegalStateNamingEpochAndBatch_andRestoresDecoder(String name,
            Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1);
                NDManager manager = NDManager.newBaseManager()) {
            decoder.resetToIdentity();
            FitOptions explosive = new FitOptions(3, 1e30, 16, 2, 0.0, 1, 0);
            assertThatThrownBy(() -> decoder.fit(ToyData.uniform(100, 3, 2, 5), explosive, null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("epoch 1").hasMessageContaining("batch 2");
            // The failed fit left the decoder as it found it: still the exact identity.
            NDArray obs = ToyData.normal(manager, 10, 3, 1, 1);
            NDArray eps = ToyData.normal(manager, 10, 2, 1, 2);
            assertThat(decoder.decode(obs, eps).toFloatArray()).isEqualTo(eps.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_isReproducibleForTheSameSeeds(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder first = initialized(kind, 3, 2, 7);
                MlpDecoder second = initialized(kind, 3, 2, 7);
                NDManager manager = NDManager.newBaseManager()) {
            DecoderDataset data = ToyData.uniform(200, 3, 2, 5);
            FitResult a = first.fit(data, quick(2), null);
            FitResult b = second.fit(data, quick(2), null);
            assertThat(a).isEqualTo(b);
            NDArray obs = ToyData.normal(manager, 10, 3, 1, 1);
            NDArray eps = ToyData.normal(manager, 10, 2, 1, 2);
            assertThat(first.decode(obs, eps).toFloatArray()).isEqualTo(second.decode(obs, eps).toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void fit_datasetOfOtherSizes_throwsIllegalArgument(String name, Function<int[], MlpDecoder> kind) {
        try (MlpDecoder decoder = initialized(kind, 3, 2, 1)) {
            assertThatThrownBy(() -> decoder.fit(ToyData.uniform(10, 4, 2, 1), quick(1), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("observationDim 4").hasMessageContaining("observationDim 3");
        }
    }

    @Test
    void dataset_withNaN_isRejectedBeforeAnyFit() {
        assertThatThrownBy(() -> DecoderDataset.of(1, 1, new float[] {0f, 1f}, new float[] {Float.NaN, 0f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("actions[0]")
                .hasMessageContaining("NaN");
    }

    @Test
    void builders_rejectBadValuesNamingFieldAndValue() {
        assertThatThrownBy(() -> FlowMatchingDecoder.builder().hiddenLayers(64, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hiddenLayers[1]")
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> FlowMatchingDecoder.builder().hiddenLayers())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hiddenLayers");
        assertThatThrownBy(() -> FlowMatchingDecoder.builder().steps(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps").hasMessageContaining("0");
        assertThatThrownBy(() -> DiffusionDecoder.builder().timeEmbeddingDim(7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeEmbeddingDim")
                .hasMessageContaining("7");
        assertThatThrownBy(() -> DiffusionDecoder.builder().observationClip(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observationClip")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> FlowMatchingDecoder.builder().gradientClipNorm(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gradientClipNorm")
                .hasMessageContaining("NaN");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoders")
    void gradientClipNorm_limitsTheUpdateWithoutBreakingTraining(String name, Function<int[], MlpDecoder> kind) {
        // Clipping is exercised end to end; its arithmetic is tested with Adam.
        MlpDecoder decoder = name.equals("flow")
                ? FlowMatchingDecoder.builder().hiddenLayers(32, 32).gradientClipNorm(0.1).build()
                : DiffusionDecoder.builder().hiddenLayers(32, 32).gradientClipNorm(0.1).build();
        try (decoder) {
            decoder.initialize(ToyData.spec(3, 2), Device.cpu(), 1);
            FitResult result = decoder.fit(ToyData.uniform(200, 3, 2, 5), quick(2), null);
            assertThat(result.trainLoss()).isFinite();
            assertThat(decoder.config()).containsEntry("gradientClipNorm", 0.1);
        }
    }

    @Test
    void config_recordsTheOptionsAndSizes() {
        try (MlpDecoder flow = FlowMatchingDecoder.builder().hiddenLayers(32, 16).steps(5).build()) {
            assertThat(flow.config()).containsEntry("decoder", "flow").containsEntry("hiddenLayers", List.of(32, 16))
                    .containsEntry("steps", 5).containsEntry("timeEmbeddingDim", 8).doesNotContainKey("seed");
            flow.initialize(ToyData.spec(3, 2), Device.cpu(), 42);
            assertThat(flow.config()).containsEntry("observationDim", 3).containsEntry("actionDim", 2)
                    .containsEntry("seed", 42L);
            assertThat(flow.name()).isEqualTo("flow");
        }
        try (MlpDecoder diffusion = DiffusionDecoder.builder().build()) {
            assertThat(diffusion.config()).containsEntry("decoder", "diffusion")
                    .containsEntry("hiddenLayers", List.of(128, 128, 128, 128)).containsEntry("steps", 10)
                    .containsEntry("schedule", "COSINE").containsEntry("trainingTimesteps", 100)
                    .containsEntry("eta", 0.0);
            assertThat(diffusion.name()).isEqualTo("diffusion");
        }
        assertThat(FlowMatchingDecoder.builder().build().config())
                .containsEntry("hiddenLayers", List.of(64, 64, 64, 64)).containsEntry("steps", 10);
    }

    @Test
    void initialize_twice_throwsIllegalState() {
        try (MlpDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(8).build()) {
            decoder.initialize(ToyData.spec(1, 1), Device.cpu(), 1);
            assertThatThrownBy(() -> decoder.initialize(ToyData.spec(1, 1), Device.cpu(), 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already initialized");
        }
    }
}
