package io.github.gorl.api;

/**
 * {@code (observation, action)} pairs for decoder refinement, stored row-major in primitive arrays.
 *
 * <p>Observations {@code [size, observationDim]}, actions {@code [size, actionDim]}; both must be finite.
 * The arrays are held, not copied: do not modify them while a fit runs.
 *
 * <p>Optionally the dataset carries source latents {@code [size, actionDim]} ({@link #withLatents}): then a
 * decoder's {@link GenerativeDecoder#fit} uses row {@code i}'s latent as the source point of pair {@code i}
 * instead of drawing {@code eps ~ N(0, I)}. GoRL uses this only for the "encoder latents" ablation of the
 * paper ({@code decoderSource(ENCODER)}); the paper's method fits from the fixed prior and leaves it unset.
 *
 * <p>Or it carries a per-pair Gaussian source ({@link #withGaussianSource}): a fit then draws pair {@code i}'s
 * source afresh at every use as {@code mean_i + std_i * z}, {@code z ~ N(0, I)}, as it draws {@code N(0, I)}
 * by default; GoRL uses this for the learnable-prior ablation ({@code decoderSource(LEARNED_PRIOR)}).
 *
 * <p>Two more optional columns describe where the pairs came from and never change the source distribution:
 * episode ids ({@link #withEpisodes}, {@code [size]}), which let a fit hold out whole episodes
 * ({@link FitOptions#splitByEpisode()}), and the encoder's latents ({@link #withEncoderLatents},
 * {@code [size, actionDim]}: the latent the encoder sampled when it produced action {@code i}), which a decoder may
 * use for an extra loss term such as the authors' {@code pairwise_loss_weight * MSE(decode(s, z_encoder), a)}.
 * Every {@code with*} copy keeps both.
 */
public final class DecoderDataset {

    private final int observationDim;
    private final int actionDim;
    private final int size;
    private final float[] observations;
    private final float[] actions;
    private final float[] latents;
    private final float[] sourceMean;
    private final float[] sourceStd;
    private final int[] episodes;
    private final float[] encoderLatents;

    private DecoderDataset(int observationDim, int actionDim, float[] observations, float[] actions) {
        this(observationDim, actionDim, observations, actions, null, null, null, null, null);
    }

    private DecoderDataset(int observationDim, int actionDim, float[] observations, float[] actions,
            float[] latents, float[] sourceMean, float[] sourceStd, int[] episodes, float[] encoderLatents) {
        this.observationDim = Validate.positive("observationDim", observationDim);
        this.actionDim = Validate.positive("actionDim", actionDim);
        Validate.notNull("observations", observations);
        Validate.notNull("actions", actions);
        if (observations.length % observationDim != 0 || actions.length % actionDim != 0
                || observations.length / observationDim != actions.length / actionDim) {
            throw new IllegalArgumentException("observations (length " + observations.length + ") and actions"
                    + " (length " + actions.length + ") must hold the same number of rows of "
                    + observationDim + " and " + actionDim + " values");
        }
        this.size = observations.length / observationDim;
        if (size == 0) {
            throw new IllegalArgumentException("a decoder dataset needs at least one pair, got 0");
        }
        this.observations = Validate.finite("observations", observations);
        this.actions = Validate.finite("actions", actions);
        if (latents != null && latents.length != actions.length) {
            throw new IllegalArgumentException("latents (length " + latents.length + ") must hold " + size
                    + " rows of " + actionDim + " values, like actions (length " + actions.length + ")");
        }
        this.latents = latents == null ? null : Validate.finite("latents", latents);
        this.sourceMean = sourceMean == null ? null : perPair("source mean", sourceMean);
        this.sourceStd = sourceStd == null ? null : perPair("source std", sourceStd);
        if (sourceStd != null) {
            for (int k = 0; k < sourceStd.length; k++) {
                if (!(sourceStd[k] > 0)) {
                    throw new IllegalArgumentException("source std must be > 0, got " + sourceStd[k] + " at row "
                            + k / actionDim + ", dimension " + k % actionDim);
                }
            }
        }
        if (episodes != null && episodes.length != size) {
            throw new IllegalArgumentException("episodeIds (length " + episodes.length + ") must hold one id per"
                    + " pair, " + size + " values");
        }
        this.episodes = episodes;
        this.encoderLatents = encoderLatents == null ? null : perPair("encoder latents", encoderLatents);
    }

    private float[] perPair(String name, float[] values) {
        if (values.length != actions.length) {
            throw new IllegalArgumentException(name + " (length " + values.length + ") must hold " + size
                    + " rows of " + actionDim + " values, like actions (length " + actions.length + ")");
        }
        return Validate.finite(name, values);
    }

    /**
     * Wraps row-major arrays.
     *
     * @param observationDim the observation size
     * @param actionDim the action size
     * @param observations {@code [size, observationDim]}, finite
     * @param actions {@code [size, actionDim]}, finite
     * @return the dataset
     */
    public static DecoderDataset of(int observationDim, int actionDim, float[] observations, float[] actions) {
        return new DecoderDataset(observationDim, actionDim, observations, actions);
    }

    /**
     * The number of pairs.
     *
     * @return {@code size > 0}
     */
    public int size() {
        return size;
    }

    /**
     * The observation size.
     *
     * @return the number of values per observation
     */
    public int observationDim() {
        return observationDim;
    }

    /**
     * The action size.
     *
     * @return the number of values per action
     */
    public int actionDim() {
        return actionDim;
    }

    /**
     * The observations, row-major {@code [size, observationDim]}.
     *
     * @return the backing array
     */
    public float[] observations() {
        return observations;
    }

    /**
     * The actions, row-major {@code [size, actionDim]}.
     *
     * @return the backing array
     */
    public float[] actions() {
        return actions;
    }

    /**
     * A copy of this dataset (sharing its arrays) whose fits use the given source latents instead of fresh
     * {@code N(0, I)} draws.
     *
     * @param sourceLatents {@code [size, actionDim]}, finite, row {@code i} the latent paired with action {@code i}
     * @return the dataset with latents
     * @throws IllegalArgumentException if the length is not {@code size * actionDim} or a value is not finite
     */
    public DecoderDataset withLatents(float[] sourceLatents) {
        Validate.notNull("latents", sourceLatents);
        return new DecoderDataset(observationDim, actionDim, observations, actions, sourceLatents, null, null,
                episodes, encoderLatents);
    }

    /**
     * A copy of this dataset (sharing its arrays) whose fits draw pair {@code i}'s source point afresh at every use
     * as {@code mean_i + std_i * z}, {@code z ~ N(0, I)}, instead of {@code N(0, I)}; any source latents are
     * dropped.
     *
     * @param mean {@code [size, actionDim]}, finite
     * @param std {@code [size, actionDim]}, finite and {@code > 0}
     * @return the dataset with a Gaussian source
     * @throws IllegalArgumentException if a length is not {@code size * actionDim}, a value is not finite or a
     *     standard deviation is not positive
     */
    public DecoderDataset withGaussianSource(float[] mean, float[] std) {
        Validate.notNull("mean", mean);
        Validate.notNull("std", std);
        return new DecoderDataset(observationDim, actionDim, observations, actions, null, mean, std, episodes,
                encoderLatents);
    }

    /**
     * A copy of this dataset (sharing its arrays, keeping every other column) with the episode each pair came from,
     * so that a fit can hold out whole episodes ({@link FitOptions#splitByEpisode()}). Ids need not be sorted,
     * contiguous or nondecreasing: pairs with equal ids form one episode.
     *
     * @param episodeIds {@code [size]}, the episode id of pair {@code i}
     * @return the dataset with episode ids
     * @throws IllegalArgumentException if the length is not {@code size}
     */
    public DecoderDataset withEpisodes(int[] episodeIds) {
        Validate.notNull("episodeIds", episodeIds);
        return new DecoderDataset(observationDim, actionDim, observations, actions, latents, sourceMean, sourceStd,
                episodeIds, encoderLatents);
    }

    /**
     * A copy of this dataset (sharing its arrays, keeping every other column) with the latent the encoder sampled
     * for each action. Unlike {@link #withLatents}, this does not change the source points of the fit: fits still
     * draw {@code eps ~ N(0, I)}; a decoder may use these latents for an extra loss term (see its documentation).
     *
     * @param latents {@code [size, actionDim]}, finite, row {@code i} the encoder's latent behind action {@code i}
     * @return the dataset with encoder latents
     * @throws IllegalArgumentException if the length is not {@code size * actionDim} or a value is not finite
     */
    public DecoderDataset withEncoderLatents(float[] latents) {
        Validate.notNull("encoderLatents", latents);
        return new DecoderDataset(observationDim, actionDim, observations, actions, this.latents, sourceMean,
                sourceStd, episodes, latents);
    }

    /**
     * The episode ids of {@link #withEpisodes}, {@code [size]}, or {@code null}.
     *
     * @return the backing array or {@code null}
     */
    public int[] episodes() {
        return episodes;
    }

    /**
     * The encoder latents of {@link #withEncoderLatents}, row-major {@code [size, actionDim]}, or {@code null}.
     *
     * @return the backing array or {@code null}
     */
    public float[] encoderLatents() {
        return encoderLatents;
    }

    /**
     * The per-pair source means of {@link #withGaussianSource}, row-major {@code [size, actionDim]}, or {@code null}.
     *
     * @return the backing array or {@code null}
     */
    public float[] sourceMean() {
        return sourceMean;
    }

    /**
     * The per-pair source standard deviations of {@link #withGaussianSource}, or {@code null}.
     *
     * @return the backing array or {@code null}
     */
    public float[] sourceStd() {
        return sourceStd;
    }

    /**
     * The source latents, row-major {@code [size, actionDim]}, or {@code null} when fits draw
     * {@code eps ~ N(0, I)} (the default).
     *
     * @return the backing array or {@code null}
     */
    public float[] latents() {
        return latents;
    }
}
