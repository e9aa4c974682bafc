package io.github.gorl.api;

/**
 * {@code (observation, action)} pairs for decoder refinement, stored row-major in primitive arrays.
 *
 * <p>Observations {@code [size, observationDim]}, actions {@code [size, actionDim]}; both must be finite.
 * The arrays are held, not copied: do not modify them while a fit runs.
 */
public final class DecoderDataset {

    private final int observationDim;
    private final int actionDim;
    private final int size;
    private final float[] observations;
    private final float[] actions;

    private DecoderDataset(int observationDim, int actionDim, float[] observations, float[] actions) {
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
}
