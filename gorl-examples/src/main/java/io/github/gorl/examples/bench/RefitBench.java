package io.github.gorl.examples.bench;

import ai.djl.Device;
import io.github.gorl.api.DecoderDataset;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.FitOptions;
import io.github.gorl.api.GenerativeDecoder;
import io.github.gorl.api.TrainingListener;
import io.github.gorl.decoders.TimeFrequencies;
import io.github.gorl.decoders.diffusion.DiffusionDecoder;
import io.github.gorl.decoders.flow.FlowMatchingDecoder;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The decoder refit's train step at the paper's size (batch 8,192 pairs x 8 draws = 65,536 rows) against its
 * compute bound, for the decoders of the paper preset: flow matching 4x64 and 4x128, diffusion 4x64 and 4x128 with
 * the authors' parameterization and pairwise term. Prints a markdown table.
 *
 * <p>FLOPs per step count {@code 2 x 3} (forward plus a backward of about two forwards) times the network's
 * multiply-adds per row: for flow matching and diffusion {@code 65,536} rows; the pairwise term adds the whole
 * sampler ({@code steps} forwards) on the 8,192 unrepeated rows, with its backward. The bound is the matmul rate of
 * {@code [1024,256]x[256,256]}, as in {@link ComputeBoundBench}; a second ratio uses the rate at the network's own
 * widest shape {@code [65536,w]x[w,w]}. Times are the benchmark thread's CPU time (one PyTorch thread: every op
 * runs on it) with wall time beside it, and include one validation pass per 100 steps, as a refit does.
 *
 * <p>Run: {@code ./gorl bench refit [steps]} (default 50 timed steps per decoder, after 3 warm-up steps).
 */
public final class RefitBench {

    private static final int OBS = 17;
    private static final int ACT = 6;
    private static final int BATCH = 8192;
    private static final int DRAWS = 8;
    private static final int EMBEDDING = 8;
    private static final int SAMPLER_STEPS = 10;

    private RefitBench() {}

    /**
     * Runs the measurements and prints the table.
     *
     * @param args optional number of timed steps per decoder
     */
    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        double bound = ComputeBoundBench.matmulFlops(1024, 256, 256, 300);
        System.out.printf(Locale.ROOT, "Decoder refit step, batch %,d x %d draws (CheetahRun sizes: obs %d, act %d),"
                + " %d timed steps, 1 PyTorch thread%n%n", BATCH, DRAWS, OBS, ACT, steps);
        System.out.printf(Locale.ROOT, "| matmul [1024,256]x[256,256], GFLOP per CPU-s | %.1f |%n%n", bound / 1e9);
        System.out.println("| decoder | GFLOP per step | CPU s per step | wall s per step | GFLOP per CPU-s"
                + " | ratio to bound | matmul [65536,w]x[w,w] GFLOP/s | ratio to that |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        row("flow 4x64", 64, false, steps, bound, () -> flow(64));
        row("flow 4x128", 128, false, steps, bound, () -> flow(128));
        row("diffusion 4x64 (reference)", 64, true, steps, bound, () -> diffusion(64));
        row("diffusion 4x128 (reference)", 128, true, steps, bound, () -> diffusion(128));
    }

    private static GenerativeDecoder flow(int width) {
        return FlowMatchingDecoder.builder().hiddenLayers(width, width, width, width).steps(SAMPLER_STEPS)
                .timeEmbeddingDim(EMBEDDING).timeFrequencies(TimeFrequencies.POWERS_OF_TWO).build();
    }

    private static GenerativeDecoder diffusion(int width) {
        return DiffusionDecoder.builder().hiddenLayers(width, width, width, width).referenceParameterization()
                .timeEmbeddingDim(EMBEDDING).build();
    }

    private static void row(String label, int width, boolean pairwise, int steps, double bound,
            Supplier<GenerativeDecoder> factory) {
        DecoderDataset data = dataset(40, 1000);
        double seconds;
        double wall;
        try (GenerativeDecoder decoder = factory.get()) {
            decoder.initialize(EnvSpec.symmetric("bench", OBS, ACT, 1, 1000), Device.cpu(), 1);
            decoder.fit(data, options(3), TrainingListener.NONE);
            long cpu0 = ComputeBoundBench.cpuNanos();
            long wall0 = System.nanoTime();
            decoder.fit(data, options(steps), TrainingListener.NONE);
            seconds = (ComputeBoundBench.cpuNanos() - cpu0) / 1e9 / steps;
            wall = (System.nanoTime() - wall0) / 1e9 / steps;
        }
        long macs = (long) (OBS + ACT + EMBEDDING) * width + 3L * width * width + (long) width * ACT;
        double rows = (double) BATCH * DRAWS + (pairwise ? (double) BATCH * SAMPLER_STEPS : 0);
        double flops = 6.0 * rows * macs;
        double own = ComputeBoundBench.matmulFlops(BATCH * DRAWS, width, width, 3);
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.3f | %.3f | %.1f | %.2f | %.1f | %.2f |%n", label, flops / 1e9,
                seconds, wall, flops / seconds / 1e9, flops / seconds / bound, own / 1e9, flops / seconds / own);
    }

    private static FitOptions options(int steps) {
        return FitOptions.builder().trainSteps(steps).validationInterval(Math.min(100, steps)).batchSize(BATCH)
                .samplesPerAction(DRAWS).patience(0).validationFraction(0.1).splitByEpisode(true).build();
    }

    /** {@code episodes x length} pairs of random observations, actions and encoder latents, with episode ids. */
    private static DecoderDataset dataset(int episodes, int length) {
        SplittableRandom random = new SplittableRandom(3);
        int n = episodes * length;
        float[] observations = ComputeBoundBench.gaussian(random, n * OBS);
        float[] actions = ComputeBoundBench.gaussian(random, n * ACT);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i / length;
        }
        return DecoderDataset.of(OBS, ACT, observations, actions).withEpisodes(ids)
                .withEncoderLatents(ComputeBoundBench.gaussian(random, n * ACT));
    }
}
