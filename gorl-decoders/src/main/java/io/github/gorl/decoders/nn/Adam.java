package io.github.gorl.decoders.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.gorl.api.Validate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam over a fixed list of parameters, with global gradient-norm clipping.
 *
 * <p>Written here rather than taken from DJL's {@code Adam} because checkpoints must hold the moment
 * estimates and step count, which DJL keeps private. Update (Kingma and Ba, 2015):
 * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)}.
 * Not part of the stable API: shared by gorl-java's modules.
 */
public final class Adam implements AutoCloseable {

    private final NDManager manager;
    private final List<NDArray> parameters;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private double learningRate;
    private long steps;
    // The gradient scale of the last clipGradientNorm, applied by the next step().
    private double pendingScale = 1;

    /**
     * Creates the optimizer with {@code beta1 = 0.9}, {@code beta2 = 0.999}, {@code eps = 1e-8}.
     *
     * @param parameters the parameters to update, each with gradients attached
     * @param learningRate the step size, {@code > 0}
     */
    public Adam(List<NDArray> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8);
    }

    /**
     * Creates the optimizer.
     *
     * @param parameters the parameters to update, each with gradients attached
     * @param learningRate the step size, {@code > 0}
     * @param beta1 the first-moment decay, in {@code [0, 1)}
     * @param beta2 the second-moment decay, in {@code [0, 1)}
     * @param epsilon the denominator floor, {@code > 0}
     */
    public Adam(List<NDArray> parameters, double learningRate, double beta1, double beta2, double epsilon) {
        Validate.notNull("parameters", parameters);
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("Adam needs at least one parameter, got none");
        }
        this.parameters = List.copyOf(parameters);
        this.learningRate = Validate.positive("learningRate", learningRate);
        this.beta1 = Validate.inRange("beta1", beta1, 0, 0.999999);
        this.beta2 = Validate.inRange("beta2", beta2, 0, 0.999999);
        this.epsilon = Validate.positive("epsilon", epsilon);
        this.manager = parameters.get(0).getManager().newSubManager();
        for (NDArray p : parameters) {
            firstMoments.add(manager.zeros(p.getShape()));
            secondMoments.add(manager.zeros(p.getShape()));
        }
    }

    /**
     * Sets the step size (for schedules).
     *
     * @param lr the new step size, {@code > 0}
     */
    public void setLearningRate(double lr) {
        this.learningRate = Validate.positive("learningRate", lr);
    }

    /**
     * The L2 norm of all gradients together, after any scale that {@link #clipGradientNorm} recorded for the
     * next {@link #step()}.
     *
     * @return {@code sqrt(sum_p |grad p|^2)}; NaN or infinite when a gradient is
     */
    public double gradientNorm() {
        return rawGradientNorm() * pendingScale;
    }

    /**
     * One norm per parameter, stacked, then the norm of the stack: {@code 2 + 3N} native calls and one
     * read back, where squaring and summing each gradient took {@code 8N} calls and {@code N} read backs.
     */
    private double rawGradientNorm() {
        NDArray[] norms = new NDArray[parameters.size()];
        try (NDManager scope = manager.newSubManager()) {
            for (int i = 0; i < norms.length; i++) {
                try (NDArray g = parameters.get(i).getGradient()) {
                    norms[i] = g.norm();
                    norms[i].attach(scope);
                }
            }
            return NDArrays.stack(new NDList(norms)).norm().getFloat();
        }
    }

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}.
     *
     * <p>The scale is not applied to the gradient arrays here: it is recorded and folded into the next
     * {@link #step()} (a fused update takes it as its gradient rescale), which saves a native call per
     * parameter. {@link #gradientNorm()} reports the clipped norm; {@link #zeroGradients()} drops the scale.
     *
     * @param maxNorm the largest allowed norm, {@code > 0}
     * @return the norm before clipping
     */
    public double clipGradientNorm(double maxNorm) {
        Validate.positive("maxNorm", maxNorm);
        double norm = rawGradientNorm();
        pendingScale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
        return norm;
    }

    /**
     * Applies one Adam update from the current gradients (times the scale of a preceding
     * {@link #clipGradientNorm}), then zeroes them.
     *
     * <p>One fused native call per parameter (the engine's {@code adamUpdate}, which also zeroes the
     * gradient) instead of about a dozen element-wise calls. The engine computes
     * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr_t * m / (sqrt(v) + eps_t)}; with
     * {@code lr_t = lr sqrt(1-b2^t) / (1-b1^t)} and {@code eps_t = eps sqrt(1-b2^t)} this is exactly the
     * bias-corrected update in the class comment, rounded in another order (results agree to float rounding).
     */
    public void step() {
        steps++;
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        float scaledEpsilon = (float) (epsilon * Math.sqrt(correction2));
        float rescale = (float) pendingScale;
        pendingScale = 1;
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            try (NDArray g = p.getGradient()) {
                // Arguments: learning rate (used only by AdamW's decay), bias-corrected step size, weight decay,
                // gradient rescale, gradient clamp (< 0: none), beta1, beta2, epsilon, lazy update, AdamW.
                p.getNDArrayInternal().adamUpdate(new NDList(p, g, firstMoments.get(i), secondMoments.get(i)),
                        new NDList(p), (float) learningRate, stepSize, 0f, rescale, -1f, (float) beta1,
                        (float) beta2, scaledEpsilon, false, false);
            }
        }
    }

    /** Zeroes every gradient without updating. */
    public void zeroGradients() {
        pendingScale = 1;
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.muli(0);
            }
        }
    }

    /** Forgets the moment estimates and the step count. */
    public void reset() {
        steps = 0;
        for (int i = 0; i < parameters.size(); i++) {
            firstMoments.get(i).muli(0);
            secondMoments.get(i).muli(0);
        }
    }

    /**
     * The optimizer state, for checkpoints: {@code m.i}, {@code v.i} and {@code steps}.
     *
     * @return name to values
     */
    public Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            state.put("m." + i, firstMoments.get(i).toFloatArray());
            state.put("v." + i, secondMoments.get(i).toFloatArray());
        }
        state.put("steps", DoubleBits.encode(new double[] {steps}));
        return state;
    }

    /**
     * Restores what {@link #state()} returned.
     *
     * @param state name to values, from an optimizer over parameters of the same shapes
     */
    public void loadState(Map<String, float[]> state) {
        for (int i = 0; i < parameters.size(); i++) {
            firstMoments.get(i).set(require(state, "m." + i, firstMoments.get(i).size()));
            secondMoments.get(i).set(require(state, "v." + i, secondMoments.get(i).size()));
        }
        steps = (long) DoubleBits.decode(state.get("steps"), 1, "steps")[0];
    }

    private static float[] require(Map<String, float[]> state, String key, long size) {
        float[] values = state.get(key);
        if (values == null || values.length != size) {
            throw new IllegalArgumentException("optimizer state entry '" + key + "' must hold " + size
                    + " values, got " + (values == null ? "none" : values.length));
        }
        return values;
    }

    @Override
    public void close() {
        manager.close();
    }
}
