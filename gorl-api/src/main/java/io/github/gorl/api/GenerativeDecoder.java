package io.github.gorl.api;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The generative decoder {@code g_phi(s, eps)} of GoRL: maps a latent {@code eps} to an action,
 * conditioned on the state, so that with {@code eps ~ N(0, I)} it samples the policy's actions.
 *
 * <p>The decoder is frozen while the encoder learns and refined by {@link #fit} between stages, always
 * with the <em>fixed</em> prior {@code N(0, I)} as its source distribution, so the KL penalty that keeps
 * the encoder near {@code N(0, I)} keeps it where the decoder was trained. Latent size equals action size.
 */
public interface GenerativeDecoder extends AutoCloseable {

    /**
     * Creates the networks. Called once, before any other method.
     *
     * @param spec the real environment's spec: observations {@code [observationDim]}, actions and
     *     latents {@code [actionDim]}
     * @param device where tensors live
     * @param seed seeds parameter initialization and training noise
     */
    void initialize(EnvSpec spec, Device device, long seed);

    /**
     * Makes the decoder the exact identity: afterwards {@code decode(s, eps)} equals {@code eps}
     * bit for bit, for every {@code s} and {@code eps}. GoRL's stage 0 starts here.
     */
    void resetToIdentity();

    /**
     * Makes this decoder a freshly built one, for a refit from scratch (the authors' {@code initialization =
     * "fresh"} with {@code zero_final_layer}): every parameter is re-drawn from {@code seed}, the last layer is set
     * to zero (so the decoder starts as the identity, as after {@link #resetToIdentity()}), and any observation
     * normalizer is reset. Sizes and options stay as built. The default does nothing and returns {@code false}:
     * the decoder does not support it and a caller should warm-start instead (or build a new decoder).
     *
     * @param seed seeds the new parameters
     * @return {@code true} if the decoder is now freshly initialized, {@code false} if unsupported
     * @throws IllegalStateException before {@link #initialize}
     */
    default boolean reinitialize(long seed) {
        return false;
    }

    /**
     * The deterministic decoding map (Euler integration for flow matching, DDIM with {@code eta = 0} for
     * diffusion).
     *
     * <p>Both inputs are float32 on the decoder's device; the caller owns them (they belong to the caller's
     * manager, which may differ between the two, and are closed with it). The result is attached to the manager of
     * {@code observations}; tensors made on the way must be freed or attached there too, so nothing leaks per call.
     *
     * @param observations {@code [batch, observationDim]}, raw observations
     * @param latents {@code [batch, actionDim]}, unbounded
     * @return actions {@code [batch, actionDim]}, unbounded (the env wrapper bounds them), float32, attached to the
     *     manager of {@code observations}
     */
    NDArray decode(NDArray observations, NDArray latents);

    /**
     * Samples actions from the decoder with {@code eps ~ N(0, I)}.
     *
     * @param observations {@code [batch, observationDim]}
     * @param samplesPerObservation {@code n > 0}
     * @return actions {@code [batch, n, actionDim]}, attached to the manager of {@code observations}
     */
    NDArray sample(NDArray observations, int samplesPerObservation);

    /**
     * Refines the decoder by supervised generative training on {@code (observation, action)} pairs,
     * with {@code N(0, I)} as the source distribution; when the dataset carries
     * {@linkplain DecoderDataset#latents() source latents}, pair {@code i} uses its own latent instead (an
     * ablation of the paper, which always trains from the prior).
     *
     * <p>A decoder trained by minibatch steps runs at most {@link FitOptions#epochBudget(int)} epochs (the
     * options' epochs, raised to their update floor), or exactly {@link FitOptions#trainSteps()} steps when that is
     * positive, and keeps the parameters of its best validation by {@link FitOptions#selection()}; a decoder fitted
     * in closed form may ignore the budgets. Either way the result and the metrics it reports say what it did.
     *
     * @param data the pairs, typically rollouts of the current composed policy
     * @param options epochs, update floor, learning rate, batch size, validation and early stopping
     * @param listener receives one {@link Metrics} per epoch (per validation in step mode), phase
     *     {@link Phase#DECODER}
     * @return the losses reached
     */
    FitResult fit(DecoderDataset data, FitOptions options, TrainingListener listener);

    /**
     * A short name for logs and run directories, such as {@code "flow"}.
     *
     * @return the name
     */
    String name();

    /**
     * The full configuration, recorded in {@code run.json} and in checkpoints. A checkpoint loads into an agent only
     * when this map equals the saved one (compared as JSON), so it must hold every option that changes the meaning of
     * the saved parameters, and nothing that varies between equal decoders.
     *
     * @return a map from option name to value (numbers, strings, booleans, lists and maps of them)
     */
    Map<String, Object> config();

    /**
     * Writes every parameter and normalizer into {@code directory}, which exists.
     *
     * @param directory the destination folder
     * @throws IOException if writing fails
     */
    void save(Path directory) throws IOException;

    /**
     * Restores what {@link #save} wrote. Must be called after {@link #initialize} with the same spec.
     *
     * @param directory the source folder
     * @throws IOException if reading fails or the files do not match this decoder
     */
    void load(Path directory) throws IOException;

    /** Frees native memory. */
    @Override
    void close();
}
