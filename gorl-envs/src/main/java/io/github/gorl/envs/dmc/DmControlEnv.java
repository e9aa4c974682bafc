package io.github.gorl.envs.dmc;

import io.github.gorl.api.Env;
import io.github.gorl.api.EnvSpec;
import io.github.gorl.api.StepResult;
import io.github.gorl.envs.mujoco.MjData;
import io.github.gorl.envs.mujoco.MjInstabilityException;
import io.github.gorl.envs.mujoco.MjJointType;
import io.github.gorl.envs.mujoco.MjModel;
import io.github.gorl.envs.mujoco.MjWarning;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every DMControl task shares, following dm_control's {@code control.Environment}: an episode
 * starts from {@code mj_resetData}, the task's randomization and {@code mj_forward}; a control step
 * writes the action to {@code ctrl} and advances {@code substeps} physics steps (control timestep /
 * physics timestep) in one native call; rewards are in [0, 1]; an episode is {@value #EPISODE_STEPS}
 * control steps, after which the step reports {@code truncated}. Like every raw {@link Env} of this
 * library, a step rejects an action outside the bounds (or NaN) instead of clipping it silently; vector
 * envs clip.
 *
 * <p>If MuJoCo reports that the simulation diverged, the step ends the episode with {@code
 * terminated = true} and reward 0 (dm_control raises a {@code PhysicsError}; a learner is better served
 * by a terminal transition), and the event is logged.
 */
abstract class DmControlEnv implements Env {

    /** dm_control's episodes last time_limit / control_timestep = 1000 control steps for every task here. */
    static final int EPISODE_STEPS = 1000;

    /** Draws of a contact-free initial state before giving up (dm_control loops without a bound). */
    static final int MAX_CONTACT_FREE_ATTEMPTS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(DmControlEnv.class);

    final MjModel model;
    final MjData data;
    private final EnvSpec spec;
    private final int substeps;
    private final int nu;
    private final double[] ctrlLow;
    private final double[] ctrlHigh;
    private int episodeStep;
    private boolean started;
    private boolean done;
    private boolean closed;
    private boolean reportedFull;

    /**
     * Loads the task's model.
     *
     * @param id the task name
     * @param mjcf the model, self-contained MJCF
     * @param observationDim the flattened observation size
     * @param controlTimestep seconds per control step; the physics timestep comes from the model
     */
    DmControlEnv(String id, String mjcf, int observationDim, double controlTimestep) {
        this.model = MjModel.fromXml(mjcf);
        try {
            this.data = model.makeData();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        double ratio = controlTimestep / model.timestep();
        this.substeps = (int) Math.round(ratio);
        if (substeps < 1 || Math.abs(ratio - substeps) > 1e-8) {
            throw new IllegalStateException("control timestep " + controlTimestep
                    + " is not a multiple of the physics timestep " + model.timestep() + " in " + id);
        }
        this.nu = model.nu();
        float[] low = new float[nu];
        float[] high = new float[nu];
        this.ctrlLow = new double[nu];
        this.ctrlHigh = new double[nu];
        for (int i = 0; i < nu; i++) {
            ctrlLow[i] = model.actuatorCtrlRange(i, 0);
            ctrlHigh[i] = model.actuatorCtrlRange(i, 1);
            low[i] = (float) ctrlLow[i];
            high[i] = (float) ctrlHigh[i];
        }
        this.spec = new EnvSpec(id, observationDim, nu, low, high, EPISODE_STEPS);
    }

    /**
     * Sets the task's initial state after {@code mj_resetData} and {@code mj_forward}; the caller runs
     * {@code mj_forward} again afterwards.
     *
     * @param random this episode's randomness
     */
    abstract void initializeEpisode(SplittableRandom random);

    /**
     * Writes the observation of the current state, flattened in dm_control's key order.
     *
     * @param observation output, length {@code observationDim}
     */
    abstract void observe(float[] observation);

    /**
     * The reward of the current state (after a control step).
     *
     * @return a value in [0, 1]
     */
    abstract double reward();

    @Override
    public EnvSpec spec() {
        return spec;
    }

    /**
     * The physics steps per control step.
     *
     * @return control timestep / physics timestep
     */
    int substeps() {
        return substeps;
    }

    @Override
    public void reset(long seed, float[] observation) {
        ensureOpen();
        checkObservation(observation);
        SplittableRandom random = new SplittableRandom(seed);
        data.reset();
        data.forward();
        initializeEpisode(random);
        data.forward();
        episodeStep = 0;
        started = true;
        done = false;
        observe(observation);
    }

    @Override
    public StepResult step(float[] action, float[] observation) {
        ensureOpen();
        if (!started) {
            throw new IllegalStateException(spec.id() + ": reset must be called before the first step");
        }
        if (done) {
            throw new IllegalStateException(spec.id() + ": the episode ended; call reset before stepping again");
        }
        if (action == null || action.length != nu) {
            throw new IllegalArgumentException(spec.id() + ": action must have length " + nu + ", got "
                    + (action == null ? "null" : String.valueOf(action.length)));
        }
        checkObservation(observation);
        for (int i = 0; i < nu; i++) {
            float a = action[i];
            if (!(a >= ctrlLow[i] && a <= ctrlHigh[i])) {
                throw new IllegalArgumentException(spec.id() + ": action[" + i + "] must be in [" + ctrlLow[i]
                        + ", " + ctrlHigh[i] + "], got " + a + " (vector envs clip; a single env does not)");
            }
            data.setCtrl(i, a);
        }
        episodeStep++;
        try {
            data.step(substeps);
        } catch (MjInstabilityException e) {
            LOG.warn("{}: physics diverged at control step {}; ending the episode as terminated. {}",
                    spec.id(), episodeStep, e.getMessage());
            data.forward();
            observe(observation);
            done = true;
            return new StepResult(0.0, true, false);
        }
        if (!reportedFull) {
            reportFullBuffers();
        }
        double reward = reward();
        observe(observation);
        boolean truncated = episodeStep >= EPISODE_STEPS;
        done = truncated;
        return new StepResult(reward, false, truncated);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            data.close();
            model.close();
        }
    }

    @Override
    public String toString() {
        return spec.id() + "[obs=" + spec.observationDim() + ", act=" + nu + ", substeps=" + substeps + "]";
    }

    /**
     * Logs once per env when a step needed more contacts or constraints than the model's {@code <size>} holds:
     * MuJoCo then drops contacts or constraints and the physics of that step is wrong.
     */
    private void reportFullBuffers() {
        int contacts = data.warningCount(MjWarning.CONTACT_FULL);
        int constraints = data.warningCount(MjWarning.CONSTRAINT_FULL);
        if (contacts > 0 || constraints > 0) {
            reportedFull = true;
            LOG.warn("{}: a step needed more than the model's {} contacts or {} constraints (peak {} and {}); "
                            + "MuJoCo dropped contacts or constraints in that step, so its physics is wrong. Reported once per env.",
                    spec.id(), model.maxContacts(), model.maxConstraints(), data.peakContacts(),
                    data.peakConstraints());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(spec.id() + " is closed");
        }
    }

    private void checkObservation(float[] observation) {
        if (observation == null || observation.length != spec.observationDim()) {
            throw new IllegalArgumentException(spec.id() + ": observation buffer must have length "
                    + spec.observationDim() + ", got "
                    + (observation == null ? "null" : String.valueOf(observation.length)));
        }
    }

    // ---------------------------------------------------------------- shared task pieces

    /**
     * dm_control's {@code randomize_limited_and_rotational_joints}: limited hinges and slides uniform in
     * their range, unlimited hinges uniform in [-pi, pi], unlimited ball joints and the orientation of
     * free joints uniform on the unit 3-sphere (limited balls are not used by these tasks), unlimited
     * slides and the position of free joints untouched.
     *
     * @param random the episode's randomness
     */
    void randomizeLimitedAndRotationalJoints(SplittableRandom random) {
        for (int j = 0; j < model.njnt(); j++) {
            MjJointType type = model.jointType(j);
            int adr = model.jointQposAddress(j);
            if (model.jointLimited(j)) {
                if (type == MjJointType.HINGE || type == MjJointType.SLIDE) {
                    data.setQpos(adr, uniform(random, model.jointRange(j, 0), model.jointRange(j, 1)));
                } else if (type == MjJointType.BALL) {
                    throw new UnsupportedOperationException("limited ball joints are not randomized here");
                }
            } else if (type == MjJointType.HINGE) {
                data.setQpos(adr, uniform(random, -Math.PI, Math.PI));
            } else if (type == MjJointType.BALL) {
                randomQuaternion(random, adr, true);
            } else if (type == MjJointType.FREE) {
                // dm_control draws the free joint's quaternion from rand(4), not randn(4)
                randomQuaternion(random, adr + 3, false);
            }
        }
    }

    /**
     * {@link #randomizeLimitedAndRotationalJoints}, then {@code mj_forward}, repeated until MuJoCo finds no
     * contact ({@code ncon == 0}), as dm_control's finger and humanoid tasks draw their initial states. Gives
     * up after {@value #MAX_CONTACT_FREE_ATTEMPTS} draws.
     *
     * @param random the episode's randomness
     * @throws IllegalStateException if no draw was contact-free
     */
    void randomizeUntilNoContact(SplittableRandom random) {
        for (int attempt = 0; attempt < MAX_CONTACT_FREE_ATTEMPTS; attempt++) {
            randomizeLimitedAndRotationalJoints(random);
            data.forward();
            if (data.ncon() == 0) {
                return;
            }
        }
        throw new IllegalStateException(spec.id() + ": could not find a collision-free state after "
                + MAX_CONTACT_FREE_ATTEMPTS + " attempts");
    }

    /**
     * Writes a normalized random quaternion into {@code qpos[adr .. adr+3]}.
     *
     * @param random the randomness
     * @param adr the first coordinate
     * @param gaussian true for normal components (uniform on the sphere), false for uniform [0, 1)
     */
    void randomQuaternion(SplittableRandom random, int adr, boolean gaussian) {
        double[] q = new double[4];
        double norm;
        do {
            norm = 0;
            for (int k = 0; k < 4; k++) {
                q[k] = gaussian ? random.nextGaussian() : random.nextDouble();
                norm += q[k] * q[k];
            }
        } while (norm < 1e-12);
        norm = Math.sqrt(norm);
        for (int k = 0; k < 4; k++) {
            data.setQpos(adr + k, q[k] / norm);
        }
    }

    static double uniform(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    /** The full {@code qvel} into {@code observation[offset ..]}; returns the next offset. */
    int putVelocity(float[] observation, int offset) {
        int nv = model.nv();
        for (int i = 0; i < nv; i++) {
            observation[offset + i] = (float) data.qvel(i);
        }
        return offset + nv;
    }
}
