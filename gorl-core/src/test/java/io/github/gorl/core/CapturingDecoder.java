package io.github.gorl.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.FitResult;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.core.optim.ComputeThreads;
import io.github.gorl.decoders.IdentityDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A test decoder: the identity, keeping every dataset it is fitted on; optionally failing the next fit. */
final class CapturingDecoder implements GenerativeDecoder {

    final List<DecoderDataset> datasets = new ArrayList<>();
    /** {@code "reinitialize"} and {@code "fit"} in call order. */
    final List<String> calls = new ArrayList<>();
    /** PyTorch's intra-op threads during each fit. */
    final List<Integer> fitThreads = new ArrayList<>();
    boolean failNextFit;
    private final IdentityDecoder identity = new IdentityDecoder();

    @Override
    public void initialize(EnvSpec spec, Device device, long seed) {
        identity.initialize(spec, device, seed);
    }

    @Override
    public void resetToIdentity() {
        identity.resetToIdentity();
    }

    @Override
    public NDArray decode(NDArray observations, NDArray latents) {
        return identity.decode(observations, latents);
    }

    @Override
    public NDArray sample(NDArray observations, int samplesPerObservation) {
        return identity.sample(observations, samplesPerObservation);
    }

    @Override
    public FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener) {
        if (failNextFit) {
            failNextFit = false;
            throw new IllegalStateException("scripted failure");
        }
        datasets.add(data);
        calls.add("fit");
        fitThreads.add(ComputeThreads.current());
        return new FitResult(options.epochs(), 0, 0, 0, false);
    }

    /** Stays the identity (a fresh identity is the identity), recording the call. */
    @Override
    public boolean reinitialize(long seed) {
        calls.add("reinitialize");
        return true;
    }

    @Override
    public String name() {
        return "capturing";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    @Override
    public void save(Path directory) throws IOException {
        Files.writeString(directory.resolve("capturing.txt"), "identity");
    }

    @Override
    public void load(Path directory) throws IOException {
        Files.readString(directory.resolve("capturing.txt"));
    }

    @Override
    public void close() {
        identity.close();
    }
}
