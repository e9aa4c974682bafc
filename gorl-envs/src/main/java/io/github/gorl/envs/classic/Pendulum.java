package io.github.gorl.envs.classic;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import io.github.gorl.api.Validate;
import java.util.SplittableRandom;

/**
 * The classic inverted-pendulum swing-up, with the semantics of Gymnasium's {@code Pendulum-v1}.
 *
 * <p>A pole of mass 1 and length 1 hangs from a motor under gravity 10. The state is the angle
 * {@code theta} (0 is upright) and the angular velocity {@code thetaDot}; the action is the motor torque.
 *
 * <ul>
 *   <li>observation: {@code float[3] = [cos theta, sin theta, thetaDot]}, {@code thetaDot} in {@code [-8, 8]};
 *   <li>action: {@code float[1]}, the torque in {@code [-2, 2]};
 *   <li>reward: {@code -(normalize(theta)^2 + 0.1 thetaDot^2 + 0.001 u^2)} on the state before the step,
 *       so in {@code [-16.27, 0]};
 *   <li>dynamics, with {@code dt = 0.05}: {@code thetaDot' = clip(thetaDot + (3g/(2l) sin theta + 3/(m l^2) u) dt,
 *       -8, 8)}, {@code theta' = theta + thetaDot' dt};
 *   <li>start: {@code theta ~ U(-pi, pi)}, {@code thetaDot ~ U(-1, 1)}, drawn from the reset seed;
 *   <li>end: never terminated; truncated after exactly 200 steps.
 * </ul>
 *
 * <p>A uniformly random policy scores about -1200 per episode; a good swing-up policy about -150.
 * Stepping allocates nothing besides the returned {@link StepResult}.
 *
 * <p>Unlike a {@code VectorEnv}, which clips, this raw environment rejects an action outside the bounds
 * with an {@link IllegalArgumentException}, so that a caller's bug is not hidden by silent clipping.
 */
public final class Pendulum implements Env {

    /** The task name used in the spec and by {@code Envs.make}. */
    public static final String ID = "Pendulum";

    private static final double GRAVITY = 10.0;
    private static final double MASS = 1.0;
    private static final double LENGTH = 1.0;
    private static final double DT = 0.05;
    private static final double MAX_SPEED = 8.0;
    private static final float MAX_TORQUE = 2.0f;
    private static final int MAX_EPISODE_STEPS = 200;
    private static final int OBSERVATION_DIM = 3;

    private static final EnvSpec SPEC =
            EnvSpec.symmetric(ID, OBSERVATION_DIM, 1, MAX_TORQUE, MAX_EPISODE_STEPS);

    private double theta;
    private double thetaDot;
    private int steps;
    /** False before the first reset and after an episode ends: the caller must reset. */
    private boolean running;

    /** Creates a pendulum; call {@link #reset} before the first step. */
    public Pendulum() {}

    /**
     * The spec: {@code observationDim 3}, {@code actionDim 1}, bounds {@code [-2, 2]}, 200 steps.
     *
     * @return the spec
     */
    @Override
    public EnvSpec spec() {
        return SPEC;
    }

    /**
     * Starts an episode at {@code theta ~ U(-pi, pi)}, {@code thetaDot ~ U(-1, 1)}.
     *
     * @param seed seeds the initial state; the same seed gives the same initial state
     * @param observation output, {@code float[3]}: {@code [cos theta, sin theta, thetaDot]}
     */
    @Override
    public void reset(long seed, float[] observation) {
        Validate.length("observation", observation, OBSERVATION_DIM);
        SplittableRandom random = new SplittableRandom(seed);
        theta = random.nextDouble(-Math.PI, Math.PI);
        thetaDot = random.nextDouble(-1.0, 1.0);
        steps = 0;
        running = true;
        observe(observation);
    }

    /**
     * Applies the torque for {@code dt = 0.05} s.
     *
     * @param action input, {@code float[1]}: the torque, in {@code [-2, 2]}
     * @param observation output, {@code float[3]}: the next {@code [cos theta, sin theta, thetaDot]}
     * @return the reward of the state and torque before the step; {@code truncated} at step 200
     * @throws IllegalArgumentException if the torque is NaN or outside {@code [-2, 2]}, or a length is wrong
     * @throws IllegalStateException before the first reset or after the episode ended
     */
    @Override
    public StepResult step(float[] action, float[] observation) {
        Validate.length("action", action, 1);
        Validate.length("observation", observation, OBSERVATION_DIM);
        if (!running) {
            throw new IllegalStateException(steps == 0
                    ? "Pendulum.step called before reset"
                    : "Pendulum episode ended after " + steps + " steps; call reset before stepping again");
        }
        float u = action[0];
        if (!(u >= -MAX_TORQUE && u <= MAX_TORQUE)) {
            throw new IllegalArgumentException("action[0] (torque) must be in [" + -MAX_TORQUE + ", "
                    + MAX_TORQUE + "], got " + u + "; a VectorEnv clips, a raw Env does not");
        }
        // The cost is that of the state the torque was applied in, as in Gymnasium.
        double angle = normalizeAngle(theta);
        double cost = angle * angle + 0.1 * thetaDot * thetaDot + 0.001 * u * u;

        double newThetaDot = thetaDot
                + (3.0 * GRAVITY / (2.0 * LENGTH) * Math.sin(theta) + 3.0 / (MASS * LENGTH * LENGTH) * u) * DT;
        newThetaDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, newThetaDot));
        theta += newThetaDot * DT;
        thetaDot = newThetaDot;
        steps++;
        observe(observation);

        boolean truncated = steps >= MAX_EPISODE_STEPS;
        running = !truncated;
        return new StepResult(-cost, false, truncated);
    }

    /** Test hook: puts the pendulum in a given state, as if an episode had just started there. */
    void setState(double theta, double thetaDot) {
        this.theta = theta;
        this.thetaDot = thetaDot;
        this.steps = 0;
        this.running = true;
    }

    private void observe(float[] observation) {
        observation[0] = (float) Math.cos(theta);
        observation[1] = (float) Math.sin(theta);
        observation[2] = (float) thetaDot;
    }

    /** Maps an angle to {@code [-pi, pi)} like Python's {@code ((x + pi) % (2 pi)) - pi} (floor modulo). */
    static double normalizeAngle(double x) {
        double r = (x + Math.PI) % (2.0 * Math.PI);
        if (r < 0) {
            r += 2.0 * Math.PI;
        }
        return r - Math.PI;
    }

    @Override
    public String toString() {
        return "Pendulum[theta=" + theta + ", thetaDot=" + thetaDot + ", steps=" + steps + "]";
    }
}
