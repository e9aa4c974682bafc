package io.github.gorl.envs.dmc;

import io.github.gorl.api.Validate;
import java.util.Locale;

/**
 * dm_control's soft indicator {@code rewards.tolerance}: 1 when {@code x} lies in {@code [lower,
 * upper]}, falling off outside with a sigmoid of the distance to the nearest bound measured in units
 * of {@code margin}, so that it equals {@code valueAtMargin} at distance {@code margin}. With
 * {@code margin == 0} it is a hard indicator. Every DMControl reward in this package is built from it.
 *
 * <p>Immutable; the sigmoid's scale is computed once. Build one per reward term:
 *
 * <pre>{@code
 * Tolerance run = Tolerance.bounds(10, Double.POSITIVE_INFINITY)
 *         .margin(10).sigmoid(Tolerance.Sigmoid.LINEAR).valueAtMargin(0);
 * double r = run.apply(speed);          // in [0, 1]
 * }</pre>
 *
 * <p>Defaults follow dm_control: bounds {@code (0, 0)}, margin 0, {@link Sigmoid#GAUSSIAN}, value at
 * margin 0.1.
 */
public final class Tolerance {

    /** The value at {@code margin} distance unless {@link #valueAtMargin} says otherwise. */
    public static final double DEFAULT_VALUE_AT_MARGIN = 0.1;

    /**
     * The shapes of the fall-off outside the bounds. Each maps a scaled distance {@code d >= 0} (the
     * distance to the nearest bound divided by the margin) to {@code [0, 1]}, with value 1 at {@code d =
     * 0} and {@code valueAt1} at {@code d = 1}.
     */
    public enum Sigmoid {
        /** {@code exp(-(d s)^2 / 2)}, {@code s = sqrt(-2 ln v)}. */
        GAUSSIAN,
        /** {@code 1 / cosh(d s)}, {@code s = arccosh(1 / v)}. */
        HYPERBOLIC,
        /** {@code 1 / ((d s)^2 + 1)}, {@code s = sqrt(1 / v - 1)}. */
        LONG_TAIL,
        /** {@code 1 / (|d| s + 1)}, {@code s = 1 / v - 1}. */
        RECIPROCAL,
        /** {@code (1 + cos(pi d s)) / 2} while {@code |d s| < 1}, else 0; {@code s = arccos(2v - 1) / pi}. */
        COSINE,
        /** {@code 1 - d s} while {@code |d s| < 1}, else 0; {@code s = 1 - v}. */
        LINEAR,
        /** {@code 1 - (d s)^2} while {@code |d s| < 1}, else 0; {@code s = sqrt(1 - v)}. */
        QUADRATIC,
        /** {@code 1 - tanh(d s)^2}, {@code s = arctanh(sqrt(1 - v))}. */
        TANH_SQUARED;

        /** Whether {@code valueAt1 == 0} is allowed (the sigmoid reaches 0 at finite distance). */
        boolean allowsZero() {
            return this == COSINE || this == LINEAR || this == QUADRATIC;
        }

        /** The scale {@code s} that makes the sigmoid equal {@code valueAt1} at distance 1. */
        double scale(double valueAt1) {
            double v = valueAt1;
            return switch (this) {
                case GAUSSIAN -> Math.sqrt(-2 * Math.log(v));
                case HYPERBOLIC -> arcosh(1 / v);
                case LONG_TAIL -> Math.sqrt(1 / v - 1);
                case RECIPROCAL -> 1 / v - 1;
                case COSINE -> Math.acos(2 * v - 1) / Math.PI;
                case LINEAR -> 1 - v;
                case QUADRATIC -> Math.sqrt(1 - v);
                case TANH_SQUARED -> artanh(Math.sqrt(1 - v));
            };
        }

        /**
         * The sigmoid at scaled distance {@code d}.
         *
         * @param d the distance to the nearest bound over the margin, {@code >= 0}
         * @param scale from {@link #scale}
         * @return a value in [0, 1]
         */
        double apply(double d, double scale) {
            double x = d * scale;
            return switch (this) {
                case GAUSSIAN -> Math.exp(-0.5 * x * x);
                case HYPERBOLIC -> 1 / Math.cosh(x);
                case LONG_TAIL -> 1 / (x * x + 1);
                case RECIPROCAL -> 1 / (Math.abs(x) + 1);
                case COSINE -> Math.abs(x) < 1 ? (1 + Math.cos(Math.PI * x)) / 2 : 0.0;
                case LINEAR -> Math.abs(x) < 1 ? 1 - x : 0.0;
                case QUADRATIC -> Math.abs(x) < 1 ? 1 - x * x : 0.0;
                case TANH_SQUARED -> {
                    double t = Math.tanh(x);
                    yield 1 - t * t;
                }
            };
        }

        private static double arcosh(double x) {
            return Math.log(x + Math.sqrt(x * x - 1));
        }

        private static double artanh(double x) {
            return 0.5 * Math.log((1 + x) / (1 - x));
        }
    }

    private final double lower;
    private final double upper;
    private final double margin;
    private final Sigmoid sigmoid;
    private final double valueAtMargin;
    private final double scale;

    private Tolerance(double lower, double upper, double margin, Sigmoid sigmoid, double valueAtMargin) {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException(
                    "tolerance bounds must satisfy lower <= upper, got (" + lower + ", " + upper + ")");
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("tolerance margin must be finite and >= 0, got " + margin);
        }
        Validate.notNull("sigmoid", sigmoid);
        boolean ok = sigmoid.allowsZero()
                ? valueAtMargin >= 0 && valueAtMargin < 1
                : valueAtMargin > 0 && valueAtMargin < 1;
        if (!ok) {
            throw new IllegalArgumentException("valueAtMargin must be in " + (sigmoid.allowsZero() ? "[0, 1)" : "(0, 1)")
                    + " for the " + sigmoid.name().toLowerCase(Locale.ROOT) + " sigmoid, got " + valueAtMargin);
        }
        this.lower = lower;
        this.upper = upper;
        this.margin = margin;
        this.sigmoid = sigmoid;
        this.valueAtMargin = valueAtMargin;
        this.scale = sigmoid.scale(valueAtMargin);
    }

    /**
     * A tolerance that is 1 on {@code [lower, upper]} (inclusive; either bound may be infinite, and they
     * may be equal) and, until a margin is set, 0 elsewhere.
     *
     * @param lower the lower bound
     * @param upper the upper bound, {@code >= lower}
     * @return the tolerance
     */
    public static Tolerance bounds(double lower, double upper) {
        return new Tolerance(lower, upper, 0, Sigmoid.GAUSSIAN, DEFAULT_VALUE_AT_MARGIN);
    }

    /**
     * A tolerance with every parameter given at once, as dm_control's {@code tolerance(x, bounds, margin,
     * sigmoid, value_at_margin)}.
     *
     * @param lower the lower bound
     * @param upper the upper bound, {@code >= lower}
     * @param margin finite, {@code >= 0}
     * @param sigmoid the fall-off shape
     * @param valueAtMargin in {@code (0, 1)}, or {@code [0, 1)} for cosine, linear and quadratic
     * @return the tolerance
     */
    public static Tolerance of(double lower, double upper, double margin, Sigmoid sigmoid, double valueAtMargin) {
        return new Tolerance(lower, upper, margin, sigmoid, valueAtMargin);
    }

    /**
     * The same tolerance with another margin.
     *
     * @param margin the distance from the bounds at which the value is {@code valueAtMargin}, finite and
     *     {@code >= 0}; 0 makes a hard indicator
     * @return a new tolerance
     */
    public Tolerance margin(double margin) {
        return new Tolerance(lower, upper, margin, sigmoid, valueAtMargin);
    }

    /**
     * The same tolerance with another sigmoid.
     *
     * @param sigmoid the fall-off shape
     * @return a new tolerance
     * @throws IllegalArgumentException if the current value at margin is 0 and the sigmoid never reaches 0
     */
    public Tolerance sigmoid(Sigmoid sigmoid) {
        return new Tolerance(lower, upper, margin, sigmoid, valueAtMargin);
    }

    /**
     * The same tolerance with another value at the margin.
     *
     * @param valueAtMargin in {@code (0, 1)}, or {@code [0, 1)} for the cosine, linear and quadratic
     *     sigmoids (choose such a sigmoid first, then set 0)
     * @return a new tolerance
     */
    public Tolerance valueAtMargin(double valueAtMargin) {
        return new Tolerance(lower, upper, margin, sigmoid, valueAtMargin);
    }

    /**
     * The soft indicator at {@code x}.
     *
     * @param x the value
     * @return 1 inside the bounds, in {@code [0, 1]} outside (NaN for a NaN {@code x})
     */
    public double apply(double x) {
        if (lower <= x && x <= upper) {
            return 1.0;
        }
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (margin == 0) {
            return 0.0;
        }
        double d = (x < lower ? lower - x : x - upper) / margin;
        return sigmoid.apply(d, scale);
    }

    @Override
    public String toString() {
        return "Tolerance[bounds=(" + lower + ", " + upper + "), margin=" + margin + ", sigmoid="
                + sigmoid.name().toLowerCase(Locale.ROOT) + ", valueAtMargin=" + valueAtMargin + "]";
    }
}
