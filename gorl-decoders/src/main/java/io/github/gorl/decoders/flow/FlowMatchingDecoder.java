package io.github.gorl.decoders.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.gorl.decoders.MlpDecoder;
import io.github.gorl.decoders.nn.Scalars;
import java.util.SplittableRandom;

/**
 * The flow-matching decoder of GoRL: a velocity field {@code v(s, x, t)} whose ODE carries the fixed prior
 * {@code eps ~ N(0, I)} at {@code t = 1} to the policy's actions at {@code t = 0}.
 *
 * <p><b>Network.</b> An MLP (default 4 x 64, SiLU) on {@code [normalize(s), x_t, embed(t)]} with an 8-dim
 * sinusoidal embedding of {@code t}, output {@code [actionDim]}.
 *
 * <p><b>Sampling</b> ({@link #decode}): {@code steps} Euler steps of size {@code dt = 1 / steps} from
 * {@code x_1 = eps} down to {@code t = 0}:
 * <pre>
 *   x_{t - dt} = x_t - dt * v(s, x_t, t),   t = 1, 1 - dt, ..., dt;   action = x_0
 * </pre>
 * With a zero output layer {@code v = 0} and every step returns {@code x_t - dt * 0 = x_t} exactly, so
 * {@link #resetToIdentity()} makes {@code decode(s, eps) == eps} bit for bit.
 *
 * <p><b>Training</b> (conditional flow matching with the fixed prior): for a data pair {@code (s, a)} draw
 * {@code eps ~ N(0, I)} and {@code t ~ U(0, 1)} ({@code samplesPerAction} draws per pair), set
 * <pre>
 *   x_t = t * eps + (1 - t) * a,   target u = d x_t / dt = eps - a,
 *   loss = mean || v(s, x_t, t) - (eps - a) ||^2
 * </pre>
 * The minimizer is the marginal velocity {@code E[eps - a | s, x_t, t]}, whose ODE pushes {@code N(0, I)}
 * onto the data's conditional action distribution.
 *
 * <p>This is the authors' "reverse" convention ({@code convention = "reverse"} in their {@code gorl_fm.toml}, their
 * {@code ReverseTimeFlowMatchingDecoder}): the same path, target, {@code t ~ U(0, 1)} and Euler grid from
 * {@code t = 1} to {@code t = 0}. Their time embedding omits the {@code pi}
 * ({@link MlpDecoder.Builder#timeFrequencies}) and their flow decoder's output scale is 1.
 *
 * <pre>{@code
 * GenerativeDecoder decoder = FlowMatchingDecoder.builder().hiddenLayers(64, 64, 64, 64).steps(10).build();
 * }</pre>
 */
public final class FlowMatchingDecoder extends MlpDecoder {

    /** The {@link io.github.gorl.decoders.nn.TensorFile} kind of saved flow decoders. */
    public static final String FILE_KIND = "flow-decoder";

    private final double dt;

    private FlowMatchingDecoder(Builder builder) {
        super(builder);
        this.dt = 1.0 / steps();
    }

    /**
     * A builder with the paper's defaults: hidden layers 4 x 64, 10 Euler steps, 8-dim time embedding,
     * observation clip 10, no gradient clipping.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The time of Euler step {@code k}: {@code t_k = 1 - k / steps}.
     *
     * @param step {@code 0 <= step < steps()}
     * @return {@code t_k} in {@code (0, 1]}
     */
    @Override
    protected double samplingTime(int step) {
        return 1.0 - step * dt;
    }

    /**
     * {@code x_{t - dt} = x_t - dt * v}.
     *
     * @param step the Euler step
     * @param x {@code x_t}, {@code [batch, actionDim]}
     * @param velocity {@code v(s, x_t, t)}, {@code [batch, actionDim]}
     * @return {@code x_{t - dt}}, {@code [batch, actionDim]}
     */
    @Override
    protected NDArray samplerStep(int step, NDArray x, NDArray velocity) {
        return x.sub(Scalars.times(velocity, dt));
    }

    /**
     * The conditional flow-matching loss {@code mean ||v(s, t eps + (1-t) a, t) - (eps - a)||^2}.
     *
     * @param normalizedObservations {@code [rows, observationDim]}
     * @param actions {@code [rows, actionDim]}
     * @param random the source of {@code t} and (unless the dataset carries latents) {@code eps}
     * @return the scalar loss
     */
    @Override
    protected NDArray trainingLoss(NDArray normalizedObservations, NDArray actions, SplittableRandom random) {
        NDManager scope = actions.getManager();
        int rows = Math.toIntExact(actions.getShape().get(0));
        float[] times = new float[rows];
        for (int i = 0; i < rows; i++) {
            times[i] = (float) random.nextDouble();
        }
        NDArray eps = sourceLatents(actions, random);
        NDArray t = scope.create(times, new Shape(rows, 1));
        // x_t = a + t * (eps - a): the straight path from the action (t = 0) to the latent (t = 1).
        NDArray target = eps.sub(actions);
        NDArray xt = actions.add(target.mul(t));
        NDArray velocity = network(normalizedObservations, xt, t);
        return velocity.sub(target).square().mean();
    }

    @Override
    protected String fileKind() {
        return FILE_KIND;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code "flow"}
     */
    @Override
    public String name() {
        return "flow";
    }

    /** Options of a {@link FlowMatchingDecoder}; see {@link MlpDecoder.Builder} for the shared ones. */
    public static final class Builder extends MlpDecoder.Builder<Builder> {

        private Builder() {
            super(64, 64, 64, 64);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Builds the decoder; call {@link FlowMatchingDecoder#initialize} before use.
         *
         * @return the decoder
         */
        public FlowMatchingDecoder build() {
            return new FlowMatchingDecoder(this);
        }
    }
}
