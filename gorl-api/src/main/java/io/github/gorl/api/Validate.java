package io.github.gorl.api;

/**
 * Argument checks shared by every builder and contract in gorl-java.
 *
 * <p>Each check throws an {@link IllegalArgumentException} whose message names the field, the bad
 * value and what was expected, so that a misconfiguration is explained where it is made rather than
 * discovered as NaNs hours into training. Implementers of their own optimizers, decoders and
 * environments are welcome to use it too.
 */
public final class Validate {

    private Validate() {}

    /**
     * Requires {@code value > 0}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @return the value
     */
    public static long positive(String field, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
        return value;
    }

    /**
     * Requires {@code value > 0}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @return the value
     */
    public static int positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
        return value;
    }

    /**
     * Requires a finite {@code value > 0}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @return the value
     */
    public static double positive(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be finite and > 0, got " + value);
        }
        return value;
    }

    /**
     * Requires {@code value >= 0}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @return the value
     */
    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
        return value;
    }

    /**
     * Requires a finite {@code value >= 0}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @return the value
     */
    public static double nonNegative(String field, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /**
     * Requires {@code low <= value <= high} (and not NaN).
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @param low the smallest allowed value
     * @param high the largest allowed value
     * @return the value
     */
    public static double inRange(String field, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(
                    field + " must be in [" + low + ", " + high + "], got " + value);
        }
        return value;
    }

    /**
     * Requires {@code low <= value <= high}.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @param low the smallest allowed value
     * @param high the largest allowed value
     * @return the value
     */
    public static int inRange(String field, int value, int low, int high) {
        if (value < low || value > high) {
            throw new IllegalArgumentException(
                    field + " must be in [" + low + ", " + high + "], got " + value);
        }
        return value;
    }

    /**
     * Requires a non-null value.
     *
     * @param field the name of the checked field, used in the message
     * @param value the value
     * @param <T> the value's type
     * @return the value
     */
    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /**
     * Requires an array of exactly {@code expected} elements.
     *
     * @param field the name of the checked array, used in the message
     * @param array the array
     * @param expected the required length
     * @return the array
     */
    public static float[] length(String field, float[] array, int expected) {
        notNull(field, array);
        if (array.length != expected) {
            throw new IllegalArgumentException(
                    field + " must have length " + expected + ", got " + array.length);
        }
        return array;
    }

    /**
     * Checks that an env handed to a latent optimizer's {@code learn} has the dimensions the optimizer was
     * initialized for.
     *
     * @param env the env's spec
     * @param owner what was initialized, for the message (e.g. {@code "this PPO"})
     * @param initialized the spec the owner was initialized with
     * @throws IllegalArgumentException naming both dimensions and both spec ids
     */
    public static void sameDimensions(EnvSpec env, String owner, EnvSpec initialized) {
        if (env.observationDim() != initialized.observationDim() || env.actionDim() != initialized.actionDim()) {
            throw new IllegalArgumentException("latentEnv has observationDim " + env.observationDim()
                    + " and actionDim " + env.actionDim() + " (" + env.id() + "), but " + owner + " was "
                    + "initialized for observationDim " + initialized.observationDim() + " and latentDim "
                    + initialized.actionDim() + " (" + initialized.id() + ")");
        }
    }

    /**
     * Requires a batch of rows: a 2-D array of shape {@code [batch, columns]}.
     *
     * @param field the name of the checked array, used in the message
     * @param array the array
     * @param columns the required number of columns
     * @return the batch size
     */
    public static long rows(String field, ai.djl.ndarray.NDArray array, int columns) {
        notNull(field, array);
        ai.djl.ndarray.types.Shape shape = array.getShape();
        if (shape.dimension() != 2 || shape.get(1) != columns) {
            throw new IllegalArgumentException(
                    field + " must have shape [batch, " + columns + "], got " + shape);
        }
        return shape.get(0);
    }

    /**
     * Requires the latents of a {@link GenerativeDecoder#decode} call: shape {@code [batch, actionDim]} for the
     * batch of observations they go with.
     *
     * @param latents the latents
     * @param batch the number of observations
     * @param actionDim the decoder's action size
     */
    public static void latents(ai.djl.ndarray.NDArray latents, long batch, int actionDim) {
        notNull("latents", latents);
        ai.djl.ndarray.types.Shape expected = new ai.djl.ndarray.types.Shape(batch, actionDim);
        if (!latents.getShape().equals(expected)) {
            throw new IllegalArgumentException("latents must have shape " + expected
                    + " ([batch of observations, actionDim]), got " + latents.getShape());
        }
    }

    /**
     * Requires every element to be finite (neither NaN nor infinite).
     *
     * @param field the name of the checked array, used in the message
     * @param array the array
     * @return the array
     */
    public static float[] finite(String field, float[] array) {
        notNull(field, array);
        for (int i = 0; i < array.length; i++) {
            if (!Float.isFinite(array[i])) {
                throw new IllegalArgumentException(
                        field + "[" + i + "] must be finite, got " + array[i]);
            }
        }
        return array;
    }
}
