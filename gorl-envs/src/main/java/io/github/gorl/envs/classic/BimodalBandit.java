package io.github.gorl.envs.classic;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.Validate;
import java.util.Arrays;

/**
 * A one-step task whose best actions form two separated modes: the smallest problem on which a
 * unimodal Gaussian policy and a generative (multimodal) policy behave differently.
 *
 * <p>The reward of an action {@code a} is {@code max(bump(a - c), bump(a + c))} with
 * {@code bump(x) = exp(-|x|^2 / (2 w^2))}, where {@code c} is the vector with the {@code centre} in every
 * dimension and {@code w} the {@code width}. Both modes {@code +c} and {@code -c} score {@link #bestReturn()}
 * {@code = 1}; their average, the zero action that a Gaussian fitted to both modes would pick, scores about
 * 0 (with the defaults, {@code exp(-18) ~ 1.5e-8}).
 *
 * <ul>
 *   <li>observation: {@code float[1] = [1]}, constant;
 *   <li>action: {@code float[actionDim]} in {@code [-1, 1]};
 *   <li>end: every episode is one step and ends {@code terminated}.
 * </ul>
 *
 * <p>The task is deterministic: the reset seed is ignored. Like every raw {@link Env} of this library it
 * rejects an action outside the bounds instead of clipping it.
 */
public final class BimodalBandit implements Env {

    /** The task name used in the spec and by {@code Envs.make}. */
    public static final String ID = "BimodalBandit";

    private static final float[] OBSERVATION = {1.0f};

    private final EnvSpec spec;
    private final double centre;
    private final double width;
    /** {@code 1 / (2 w^2)}, precomputed because every step needs it. */
    private final double inverseTwoWidthSquared;
    private boolean awaitingStep;

    /** Creates the task with the defaults: {@code actionDim 1}, {@code centre 0.6}, {@code width 0.1}. */
    public BimodalBandit() {
        this(builder());
    }

    BimodalBandit(Builder builder) {
        this.spec = EnvSpec.symmetric(ID, 1, builder.actionDim, 1.0f, 1);
        this.centre = builder.centre;
        this.width = builder.width;
        this.inverseTwoWidthSquared = 1.0 / (2.0 * width * width);
    }

    /**
     * A builder with the defaults {@code actionDim 1}, {@code centre 0.6}, {@code width 0.1}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The best return of an episode, reached at either mode.
     *
     * @return {@code 1.0}
     */
    public static double bestReturn() {
        return 1.0;
    }

    /**
     * The spec: {@code observationDim 1}, {@code actionDim} as built, bounds {@code [-1, 1]}, 1 step.
     *
     * @return the spec
     */
    @Override
    public EnvSpec spec() {
        return spec;
    }

    /**
     * The distance of each mode from the origin in every dimension.
     *
     * @return {@code c}, in {@code (0, 1]}
     */
    public double centre() {
        return centre;
    }

    /**
     * The width of each reward bump.
     *
     * @return {@code w > 0}
     */
    public double width() {
        return width;
    }

    /**
     * The two best actions.
     *
     * @return {@code float[2][actionDim]}: row 0 is {@code +c}, row 1 is {@code -c}
     */
    public float[][] modes() {
        float[][] modes = new float[2][spec.actionDim()];
        Arrays.fill(modes[0], (float) centre);
        Arrays.fill(modes[1], (float) -centre);
        return modes;
    }

    /**
     * The reward of an action, without stepping: {@code max(bump(a - c), bump(a + c))}.
     *
     * @param action input, {@code float[actionDim]}; any finite values (not checked against the bounds)
     * @return the reward, in {@code [0, 1]}
     */
    public double reward(float[] action) {
        Validate.length("action", action, spec.actionDim());
        double toPlus = 0.0;
        double toMinus = 0.0;
        for (float a : action) {
            double dp = a - centre;
            double dm = a + centre;
            toPlus += dp * dp;
            toMinus += dm * dm;
        }
        // max of the two bumps == the bump of the nearer mode
        return Math.exp(-Math.min(toPlus, toMinus) * inverseTwoWidthSquared);
    }

    /**
     * Starts the one-step episode.
     *
     * @param seed ignored: the task is deterministic
     * @param observation output, {@code float[1]}: {@code [1]}
     */
    @Override
    public void reset(long seed, float[] observation) {
        Validate.length("observation", observation, 1);
        observation[0] = OBSERVATION[0];
        awaitingStep = true;
    }

    /**
     * Scores the action and ends the episode.
     *
     * @param action input, {@code float[actionDim]} in {@code [-1, 1]}
     * @param observation output, {@code float[1]}: {@code [1]} (the terminal observation)
     * @return the reward, with {@code terminated = true}
     * @throws IllegalArgumentException if an action value is NaN or outside {@code [-1, 1]}, or a length is wrong
     * @throws IllegalStateException if the episode has not been reset since the last step
     */
    @Override
    public StepResult step(float[] action, float[] observation) {
        Validate.length("action", action, spec.actionDim());
        Validate.length("observation", observation, 1);
        if (!awaitingStep) {
            throw new IllegalStateException(
                    "BimodalBandit episodes are one step long; call reset before each step");
        }
        for (int i = 0; i < action.length; i++) {
            if (!(action[i] >= -1.0f && action[i] <= 1.0f)) {
                throw new IllegalArgumentException("action[" + i + "] must be in [-1.0, 1.0], got "
                        + action[i] + "; a VectorEnv clips, a raw Env does not");
            }
        }
        awaitingStep = false;
        observation[0] = OBSERVATION[0];
        return new StepResult(reward(action), true, false);
    }

    @Override
    public String toString() {
        return "BimodalBandit[actionDim=" + spec.actionDim() + ", centre=" + centre + ", width=" + width + "]";
    }

    /** Configures a {@link BimodalBandit}; every setter validates its value at once. */
    public static final class Builder {

        private int actionDim = 1;
        private double centre = 0.6;
        private double width = 0.1;

        private Builder() {}

        /**
         * The action size.
         *
         * @param actionDim {@code > 0}; default 1
         * @return this builder
         */
        public Builder actionDim(int actionDim) {
            this.actionDim = Validate.positive("actionDim", actionDim);
            return this;
        }

        /**
         * The distance of each mode from the origin in every dimension; the modes are {@code +c} and
         * {@code -c}.
         *
         * @param centre in {@code (0, 1]}, so that both modes are distinct and inside the bounds; default 0.6
         * @return this builder
         */
        public Builder centre(double centre) {
            if (!(centre > 0.0 && centre <= 1.0)) {
                throw new IllegalArgumentException("centre must be in (0, 1] so that the two modes are "
                        + "distinct and inside the action bounds [-1, 1], got " + centre);
            }
            this.centre = centre;
            return this;
        }

        /**
         * The width {@code w} of each reward bump; a width comparable to the centre lets the zero action
         * score well and makes the task unimodal in practice.
         *
         * @param width finite and {@code > 0}; default 0.1
         * @return this builder
         */
        public Builder width(double width) {
            this.width = Validate.positive("width", width);
            return this;
        }

        /**
         * Builds the task.
         *
         * @return a new task; call {@code reset} before each step
         */
        public BimodalBandit build() {
            return new BimodalBandit(this);
        }
    }
}
