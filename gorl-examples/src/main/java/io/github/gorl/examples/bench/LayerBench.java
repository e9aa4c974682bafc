package io.github.gorl.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the MLP's layer is written costs time around its matrix products: one forward and backward pass of a SiLU MLP
 * with the bias added by a separate op ({@code x.matMul(W).addi(b)}, the library's {@code Mlp} today) against
 * PyTorch's fused {@code linear} ({@code addmm}), with the weight stored {@code [in, out]} and transposed per call, or
 * stored {@code [out, in]}; and, as a bound on what a fused SiLU could save, the same layers without the activation.
 * Prints, per shape, the CPU seconds per pass (best of the rounds, variants interleaved) and
 * each variant's share of the matrix products' bound ({@link ComputeBoundBench#matmulFlops}).
 *
 * <p>Run: {@code ./gorl bench layer [rounds]}. One PyTorch thread; CPU time of the calling thread, so that the ratios
 * hold on a shared machine.
 */
public final class LayerBench {

    private LayerBench() {}

    private enum Variant {
        MATMUL_ADD("matMul + add (today)"),
        LINEAR_TRANSPOSED("linear, W [in,out] transposed"),
        LINEAR("linear, W [out,in]"),
        NO_ACTIVATION("matMul + add, no SiLU (not a network: SiLU's cost)");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args optional number of rounds (default 5)
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Engine.getInstance().setRandomSeed(1);
        double peak = ComputeBoundBench.matmulFlops(1024, 256, 256, 50);
        System.out.printf(Locale.ROOT, "matmul bound: %.1f GFLOP/s (1 thread)%n%n", peak / 1e9);
        System.out.println("| network | rows | variant | ms per pass | share of bound | vs today |");
        System.out.println("|---|---:|---|---:|---:|---:|");
        // The paper's critic (5 x 256) at the reference's minibatch, the flow decoder 4 x 128 and 4 x 64 at a refit's.
        run("critic 17-256x5-1", 30_720, new int[] {17, 256, 256, 256, 256, 256, 1}, rounds, peak);
        run("decoder 31-128x4-6", 65_536, new int[] {31, 128, 128, 128, 128, 6}, rounds, peak);
        run("decoder 31-64x4-6", 65_536, new int[] {31, 64, 64, 64, 64, 6}, rounds, peak);
        run("actor 17-32x4-12", 30_720, new int[] {17, 32, 32, 32, 32, 12}, rounds, peak);
        run("critic 17-64x2-1", 1_024, new int[] {17, 64, 64, 1}, rounds * 4, peak);
    }

    private static void run(String name, int rows, int[] sizes, int rounds, double peak) {
        double macs = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            macs += (double) sizes[i] * sizes[i + 1];
        }
        double flops = 6.0 * rows * macs; // forward 2, backward 4 per multiply-add
        Variant[] variants = Variant.values();
        double[] best = new double[variants.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = manager.randomUniform(-1f, 1f, new Shape(rows, sizes[0]));
            List<NDArray> inOut = new ArrayList<>();
            List<NDArray> outIn = new ArrayList<>();
            List<NDArray> biases = new ArrayList<>();
            for (int i = 0; i + 1 < sizes.length; i++) {
                float bound = (float) (1 / Math.sqrt(sizes[i]));
                NDArray w = manager.randomUniform(-bound, bound, new Shape(sizes[i], sizes[i + 1]));
                NDArray wt = w.transpose().duplicate();
                NDArray b = manager.randomUniform(-bound, bound, new Shape(sizes[i + 1]));
                w.setRequiresGradient(true);
                wt.setRequiresGradient(true);
                b.setRequiresGradient(true);
                inOut.add(w);
                outIn.add(wt);
                biases.add(b);
            }
            int reps = Math.max(2, (int) Math.min(20, 2e9 / flops));
            for (int round = 0; round <= rounds; round++) {
                for (int v = 0; v < variants.length; v++) {
                    long t = ComputeBoundBench.cpuNanos();
                    for (int r = 0; r < reps; r++) {
                        pass(manager, input, variants[v], inOut, outIn, biases);
                    }
                    double seconds = (ComputeBoundBench.cpuNanos() - t) / 1e9 / reps;
                    if (round > 0) {
                        best[v] = Math.min(best[v], seconds);
                    }
                }
            }
        }
        for (int v = 0; v < variants.length; v++) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %s | %.2f | %.2f | %.2fx |%n", name, rows, variants[v].label,
                    best[v] * 1e3, flops / best[v] / peak, best[0] / best[v]);
        }
    }

    private static void pass(NDManager manager, NDArray input, Variant variant, List<NDArray> inOut,
            List<NDArray> outIn, List<NDArray> biases) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.tempAttachAll(input);
            NDArray x = input;
            int layers = biases.size();
            for (int i = 0; i < layers; i++) {
                NDArray z = switch (variant) {
                    case MATMUL_ADD, NO_ACTIVATION -> x.matMul(inOut.get(i)).addi(biases.get(i));
                    case LINEAR_TRANSPOSED -> single(Linear.linear(x, inOut.get(i).transpose(), biases.get(i)));
                    case LINEAR -> single(Linear.linear(x, outIn.get(i), biases.get(i)));
                };
                boolean hidden = i + 1 < layers && variant != Variant.NO_ACTIVATION;
                x = hidden ? z.mul(Activation.sigmoid(z)) : z;
            }
            NDArray loss = x.square().mean();
            collector.backward(loss);
        }
        for (List<NDArray> list : List.of(inOut, outIn, biases)) {
            for (NDArray p : list) {
                p.getGradient().muli(0);
            }
        }
    }

    private static NDArray single(NDList list) {
        return list.singletonOrThrow();
    }
}
