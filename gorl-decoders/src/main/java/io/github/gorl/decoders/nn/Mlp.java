package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.github.gorl.api.Validate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The one multi-layer perceptron of gorl-java: {@code Linear -> SiLU -> ... -> Linear}, no activation on
 * the output. Used by the latent actor and critics, the flow-matching velocity field and the diffusion
 * noise predictor.
 *
 * <p>Input {@code [batch, inputDim]}, output {@code [batch, outputDim]}. Parameters are plain NDArrays
 * owned by this MLP's manager, initialized from a Java {@link SplittableRandom} so that a seed gives the
 * same network on every engine and device. Not part of the stable API: shared by gorl-java's modules.
 */
public final class Mlp implements AutoCloseable {

    private final NDManager manager;
    private final int[] sizes;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> biases = new ArrayList<>();
    private final List<NDArray> parameters = new ArrayList<>();

    /**
     * Creates an MLP with PyTorch's default initialization, {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} for
     * weights and biases.
     *
     * @param parent the manager under which this MLP's own manager is created
     * @param inputDim the input size, {@code > 0}
     * @param hidden the hidden layer widths, each {@code > 0}; may be empty (a linear map)
     * @param outputDim the output size, {@code > 0}
     * @param seed the initialization seed
     */
    public Mlp(NDManager parent, int inputDim, int[] hidden, int outputDim, long seed) {
        Validate.positive("inputDim", inputDim);
        Validate.positive("outputDim", outputDim);
        Validate.notNull("hidden", hidden);
        sizes = new int[hidden.length + 2];
        sizes[0] = inputDim;
        for (int i = 0; i < hidden.length; i++) {
            sizes[i + 1] = Validate.positive("hidden[" + i + "]", hidden[i]);
        }
        sizes[sizes.length - 1] = outputDim;
        manager = parent.newSubManager();
        for (int layer = 0; layer + 1 < sizes.length; layer++) {
            NDArray w = manager.create(new float[sizes[layer] * sizes[layer + 1]],
                    new Shape(sizes[layer], sizes[layer + 1]));
            NDArray b = manager.create(new float[sizes[layer + 1]], new Shape(sizes[layer + 1]));
            weights.add(w);
            biases.add(b);
            parameters.add(w);
            parameters.add(b);
        }
        reinitialize(seed);
        for (NDArray p : parameters) {
            p.setRequiresGradient(true);
        }
    }

    /**
     * Draws fresh parameters in place.
     *
     * @param seed the initialization seed
     */
    public void reinitialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int layer = 0; layer < weights.size(); layer++) {
            double bound = 1.0 / Math.sqrt(sizes[layer]);
            weights.get(layer).set(uniform(random, (int) weights.get(layer).size(), bound));
            biases.get(layer).set(uniform(random, (int) biases.get(layer).size(), bound));
        }
    }

    private static float[] uniform(SplittableRandom random, int n, double bound) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return values;
    }

    /**
     * Sets the output layer's weights and bias to zero, so that the MLP outputs exactly 0 for every input
     * while the hidden layers keep their (trainable) values.
     */
    public void zeroOutputLayer() {
        int last = weights.size() - 1;
        weights.get(last).set(new float[(int) weights.get(last).size()]);
        biases.get(last).set(new float[(int) biases.get(last).size()]);
    }

    /**
     * Sets the output bias.
     *
     * @param bias {@code [outputDim]}
     */
    public void setOutputBias(float[] bias) {
        Validate.length("bias", bias, outputDim());
        biases.get(biases.size() - 1).set(bias);
    }

    /**
     * The forward pass.
     *
     * @param input {@code [batch, inputDim]}
     * @return {@code [batch, outputDim]}, attached to the input's manager
     */
    public NDArray forward(NDArray input) {
        if (input.getShape().dimension() != 2 || input.getShape().get(1) != sizes[0]) {
            throw new IllegalArgumentException(
                    "MLP input must have shape [batch, " + sizes[0] + "], got " + input.getShape());
        }
        // Intermediates attach to the input's manager; callers free them with their scope.
        NDArray x = input;
        for (int layer = 0; layer < weights.size(); layer++) {
            NDArray linear = x.matMul(weights.get(layer)).addi(biases.get(layer));
            // SiLU(z) = z * sigmoid(z): smooth, the activation the paper's networks use.
            x = layer + 1 < weights.size() ? linear.mul(Activation.sigmoid(linear)) : linear;
        }
        return x;
    }

    /**
     * The trainable parameters in a fixed order: {@code W0, b0, W1, b1, ...}, {@code Wk} of shape
     * {@code [in, out]}.
     *
     * @return an unmodifiable view
     */
    public List<NDArray> parameters() {
        return Collections.unmodifiableList(parameters);
    }

    /**
     * Copies every parameter from another MLP of the same shape (for target networks).
     *
     * @param other the source
     */
    public void copyFrom(Mlp other) {
        requireSameShape(other);
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).set(other.parameters.get(i).toFloatArray());
        }
    }

    /**
     * Polyak averaging: {@code this = (1 - tau) * this + tau * other}.
     *
     * @param other the online network, same shape
     * @param tau the step, in {@code [0, 1]}
     */
    public void polyakUpdate(Mlp other, double tau) {
        requireSameShape(other);
        Validate.inRange("tau", tau, 0, 1);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray target = parameters.get(i);
            try (NDArray delta = other.parameters.get(i).sub(target)) {
                delta.muli(tau);
                target.addi(delta);
            }
        }
    }

    private void requireSameShape(Mlp other) {
        if (!Arrays.equals(sizes, other.sizes)) {
            throw new IllegalArgumentException("MLP layer sizes differ: " + Arrays.toString(sizes)
                    + " vs " + Arrays.toString(other.sizes));
        }
    }

    /**
     * The input size.
     *
     * @return {@code inputDim}
     */
    public int inputDim() {
        return sizes[0];
    }

    /**
     * The output size.
     *
     * @return {@code outputDim}
     */
    public int outputDim() {
        return sizes[sizes.length - 1];
    }

    /**
     * The layer sizes, input first, output last.
     *
     * @return a copy
     */
    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * Puts this network into tensor-file entries: its layer sizes as {@code prefix.sizes} and each parameter
     * of {@link #parameters()} as {@code prefix.0}, {@code prefix.1}, ...
     *
     * @param entries where to put them
     * @param prefix the entries' name prefix
     */
    public void writeTo(Map<String, float[]> entries, String prefix) {
        writeTo(entries, prefix, prefix);
    }

    /**
     * Like {@link #writeTo(Map, String)}, with the sizes under {@code sizesPrefix.sizes} and the parameters
     * under {@code parametersPrefix.0}, ... (for networks of one shape that share one sizes entry).
     *
     * @param entries where to put them
     * @param sizesPrefix the name prefix of the sizes entry
     * @param parametersPrefix the name prefix of the parameter entries
     */
    public void writeTo(Map<String, float[]> entries, String sizesPrefix, String parametersPrefix) {
        entries.put(sizesPrefix + ".sizes", floatSizes());
        for (int i = 0; i < parameters.size(); i++) {
            entries.put(parametersPrefix + "." + i, parameters.get(i).toFloatArray());
        }
    }

    /**
     * Sets this network from what {@link #writeTo(Map, String)} wrote.
     *
     * @param content the file's content
     * @param prefix the entries' name prefix
     * @param file the file, for error messages
     * @throws IOException if {@code prefix.sizes} differs from {@link #sizes()}, or a parameter entry is
     *     missing or has another length
     */
    public void readFrom(TensorFile.Content content, String prefix, Path file) throws IOException {
        readFrom(content, prefix, prefix, file);
    }

    /**
     * Sets this network from what {@link #writeTo(Map, String, String)} wrote.
     *
     * @param content the file's content
     * @param sizesPrefix the name prefix of the sizes entry
     * @param parametersPrefix the name prefix of the parameter entries
     * @param file the file, for error messages
     * @throws IOException if {@code sizesPrefix.sizes} differs from {@link #sizes()}, or a parameter entry is
     *     missing or has another length
     */
    public void readFrom(TensorFile.Content content, String sizesPrefix, String parametersPrefix, Path file)
            throws IOException {
        float[] saved = content.entries().get(sizesPrefix + ".sizes");
        float[] current = floatSizes();
        if (!Arrays.equals(saved, current)) {
            throw new IOException(file + " was saved with " + sizesPrefix + " layer sizes "
                    + Arrays.toString(saved) + ", but this network has " + Arrays.toString(current));
        }
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            p.set(content.require(parametersPrefix + "." + i, (int) p.size()));
        }
    }

    private float[] floatSizes() {
        float[] out = new float[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = sizes[i];
        }
        return out;
    }

    /**
     * The number of multiply-adds of one forward pass per sample, for compute-bound estimates.
     *
     * @return {@code sum(in * out)} over layers
     */
    public long multiplyAddsPerSample() {
        long total = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            total += (long) sizes[i] * sizes[i + 1];
        }
        return total;
    }

    @Override
    public void close() {
        manager.close();
    }
}
