package io.github.gorl.envs.dmc;

import io.github.gorl.envs.mujoco.MjObjectType;
import java.util.SplittableRandom;

/**
 * dm_control's finger domain: a two-link planar finger and a free-spinning body on an unactuated hinge.
 * Every observation is read from sensors, as in dm_control.
 *
 * <p>Shared observation prefix (9): {@code position} = proximal and distal joint angles and the (x, z)
 * position of the spinner's tip relative to the hinge (4), {@code velocity} = proximal, distal and hinge
 * velocities (3), {@code touch} = {@code log1p} of the two fingertip touch sensors (2). Action (2):
 * proximal and distal torques in [-1, 1]. Timing: physics 0.01 s, control 0.02 s (2 physics steps per
 * control step). Start: the joints at random angles, redrawn until nothing touches (at most 1000 tries).
 */
abstract class FingerTask extends DmControlEnv {

    final int hingeJoint;
    final int hingeDof;
    private final int proximalSensor;
    private final int distalSensor;
    private final int proximalVelocitySensor;
    private final int distalVelocitySensor;
    private final int hingeVelocitySensor;
    private final int tipSensor;
    final int targetSensor;
    final int spinnerSensor;
    private final int touchTopSensor;
    private final int touchBottomSensor;

    FingerTask(String id, int observationDim) {
        super(id, DmControl.mjcf("finger.xml"), observationDim, 0.02);
        hingeJoint = model.id(MjObjectType.JOINT, "hinge");
        hingeDof = model.jointDofAddress(hingeJoint);
        proximalSensor = sensor("proximal");
        distalSensor = sensor("distal");
        proximalVelocitySensor = sensor("proximal_velocity");
        distalVelocitySensor = sensor("distal_velocity");
        hingeVelocitySensor = sensor("hinge_velocity");
        tipSensor = sensor("tip");
        targetSensor = sensor("target");
        spinnerSensor = sensor("spinner");
        touchTopSensor = sensor("touchtop");
        touchBottomSensor = sensor("touchbottom");
    }

    private int sensor(String name) {
        return model.sensorAddress(model.id(MjObjectType.SENSOR, name));
    }

    /** dm_control's {@code _set_random_joint_angles}: random joint angles until there is no contact. */
    void setRandomJointAngles(SplittableRandom random) {
        randomizeUntilNoContact(random);
    }

    /**
     * The hinge's angular velocity (negative is the direction the spin task rewards).
     *
     * @return radians per second
     */
    double hingeVelocity() {
        return data.sensordata(hingeVelocitySensor);
    }

    /** Tip x relative to the hinge. */
    double tipX() {
        return data.sensordata(tipSensor) - data.sensordata(spinnerSensor);
    }

    /** Tip z relative to the hinge. */
    double tipZ() {
        return data.sensordata(tipSensor + 2) - data.sensordata(spinnerSensor + 2);
    }

    /** Writes the 9 shared observations; returns the next offset. */
    int observeCommon(float[] observation) {
        observation[0] = (float) data.sensordata(proximalSensor);
        observation[1] = (float) data.sensordata(distalSensor);
        observation[2] = (float) tipX();
        observation[3] = (float) tipZ();
        observation[4] = (float) data.sensordata(proximalVelocitySensor);
        observation[5] = (float) data.sensordata(distalVelocitySensor);
        observation[6] = (float) hingeVelocity();
        observation[7] = (float) Math.log1p(data.sensordata(touchTopSensor));
        observation[8] = (float) Math.log1p(data.sensordata(touchBottomSensor));
        return 9;
    }
}
