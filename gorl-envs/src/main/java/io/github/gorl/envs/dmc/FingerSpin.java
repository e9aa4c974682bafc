package io.github.gorl.envs.dmc;

import java.util.SplittableRandom;

/**
 * dm_control's {@code finger-spin}: spin the body on the hinge fast in the negative direction.
 *
 * <ul>
 *   <li>Observation (9): {@code position} (4), {@code velocity} (3), {@code touch} (2), see
 *       {@link FingerTask}.
 *   <li>Action (2): proximal and distal torques in [-1, 1].
 *   <li>Reward: 1 while the hinge velocity is {@code <= -15} rad/s, else 0.
 *   <li>Start: the hinge's damping is lowered to 0.03; random collision-free joint angles.
 * </ul>
 */
final class FingerSpin extends FingerTask {

    static final String ID = "FingerSpin";
    static final int OBSERVATION_DIM = 9;
    private static final double SPIN_VELOCITY = 15.0;
    private static final double HINGE_DAMPING = 0.03;

    FingerSpin() {
        super(ID, OBSERVATION_DIM);
    }

    @Override
    void initializeEpisode(SplittableRandom random) {
        model.setDofDamping(hingeDof, HINGE_DAMPING);
        setRandomJointAngles(random);
    }

    @Override
    void observe(float[] observation) {
        observeCommon(observation);
    }

    @Override
    double reward() {
        return hingeVelocity() <= -SPIN_VELOCITY ? 1.0 : 0.0;
    }
}
