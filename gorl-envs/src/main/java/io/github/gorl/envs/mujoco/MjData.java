package io.github.gorl.envs.mujoco;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;

/**
 * MuJoCo simulation data ({@code mjData}) for one {@link MjModel}: the state ({@code qpos}, {@code
 * qvel}, {@code act}), the controls ({@code ctrl}) and the quantities computed from them.
 *
 * <p>State is read and written in place through direct buffers over MuJoCo's arrays: no copies and no
 * JNI call per element; a physics step is one JNI call. Accessors take MuJoCo indices and check them
 * (a bad index throws {@link IndexOutOfBoundsException}); Cartesian arrays are addressed as
 * {@code (object, component)}, for example {@code xpos(body, 2)} is the height of a body's frame.
 *
 * <p>Errors never take the JVM down: a fatal MuJoCo error ({@code mju_error}, such as running out of
 * stack) becomes a {@link MuJoCoException} and the data is reset; a diverging simulation ({@code
 * mjWARN_BADQACC} and friends, after which MuJoCo resets the state itself) becomes an
 * {@link MjInstabilityException} thrown by the step that diverged. Other warnings are counted, see
 * {@link #warningCount}.
 *
 * <p>Owns native memory: close it (try-with-resources), or a {@link Cleaner} frees it once it becomes
 * unreachable. Closing twice is harmless. Not thread-safe: one thread at a time per data.
 */
public final class MjData implements AutoCloseable {

    private static final MjWarning[] WARNINGS = MjWarning.values();

    private final MjModel model;
    final MuJoCoNative.DataPtr ptr;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;
    /** Positions or velocities were written since the last forward computation. */
    private boolean stale = true;

    private final int nq;
    private final int nv;
    private final int nu;
    private final int na;
    private final int nbody;
    private final int njnt;
    private final int ngeom;
    private final int nsite;

    private final DoubleBuffer qpos;
    private final DoubleBuffer qvel;
    private final DoubleBuffer act;
    private final DoubleBuffer ctrl;
    private final DoubleBuffer qacc;
    private final DoubleBuffer sensordata;
    private final DoubleBuffer xpos;
    private final DoubleBuffer xquat;
    private final DoubleBuffer xmat;
    private final DoubleBuffer xipos;
    private final DoubleBuffer xanchor;
    private final DoubleBuffer geomXpos;
    private final DoubleBuffer geomXmat;
    private final DoubleBuffer siteXpos;
    private final DoubleBuffer siteXmat;
    private final DoubleBuffer subtreeCom;
    private final DoubleBuffer subtreeLinvel;
    private final DoubleBuffer cvel;
    /** [lastinfo, number] pairs, one per {@link MjWarning}. */
    private final IntBuffer warnings;

    MjData(MjModel model) {
        this.model = model;
        MuJoCoNative.DataPtr p;
        try {
            p = MuJoCoNative.mj_makeData(model.ptr);
        } catch (RuntimeException e) {
            throw new MuJoCoException("MuJoCo could not allocate mjData: " + e.getMessage(), e);
        }
        if (p == null || p.isNull()) {
            throw new MuJoCoException("MuJoCo could not allocate mjData (out of memory?)");
        }
        this.ptr = p;
        this.cleanable = MjModel.CLEANER.register(this, new Release(p));
        nq = model.nq();
        nv = model.nv();
        nu = model.nu();
        na = model.na();
        nbody = model.nbody();
        njnt = model.njnt();
        ngeom = model.ngeom();
        nsite = model.nsite();
        qpos = MjModel.view(p.qpos(), nq);
        qvel = MjModel.view(p.qvel(), nv);
        act = MjModel.view(p.act(), na);
        ctrl = MjModel.view(p.ctrl(), nu);
        qacc = MjModel.view(p.qacc(), nv);
        sensordata = MjModel.view(p.sensordata(), model.nsensordata());
        xpos = MjModel.view(p.xpos(), 3L * nbody);
        xquat = MjModel.view(p.xquat(), 4L * nbody);
        xmat = MjModel.view(p.xmat(), 9L * nbody);
        xipos = MjModel.view(p.xipos(), 3L * nbody);
        xanchor = MjModel.view(p.xanchor(), 3L * njnt);
        geomXpos = MjModel.view(p.geom_xpos(), 3L * ngeom);
        geomXmat = MjModel.view(p.geom_xmat(), 9L * ngeom);
        siteXpos = MjModel.view(p.site_xpos(), 3L * nsite);
        siteXmat = MjModel.view(p.site_xmat(), 9L * nsite);
        subtreeCom = MjModel.view(p.subtree_com(), 3L * nbody);
        subtreeLinvel = MjModel.view(p.subtree_linvel(), 3L * nbody);
        cvel = MjModel.view(p.cvel(), 6L * nbody);
        warnings = MjModel.view(MuJoCoNative.gorl_warnings(p), 2L * MuJoCoNative.gorl_warning_count());
    }

    /**
     * The model this data simulates.
     *
     * @return the model
     */
    public MjModel model() {
        return model;
    }

    // ------------------------------------------------------------------------------------ simulation

    /**
     * Resets to the model's initial state ({@code mj_resetData}): {@code qpos = qpos0}, zero velocity,
     * controls and time, warning counters cleared. Positions are not computed: call {@link #forward()}.
     */
    public void reset() {
        ensureOpen();
        MuJoCoNative.mj_resetData(model.ptr, ptr);
        stale = true;
        Reference.reachabilityFence(this);
    }

    /**
     * Computes every derived quantity (positions, velocities, sensors, accelerations) from the current
     * state without advancing time ({@code mj_forward}).
     *
     * @throws MuJoCoException on a fatal MuJoCo error; the data is then reset
     */
    public void forward() {
        ensureOpen();
        try {
            MuJoCoNative.mj_forward(model.ptr, ptr);
        } catch (RuntimeException e) {
            throw fatal("mj_forward", e);
        } finally {
            Reference.reachabilityFence(this);
        }
        stale = false;
        checkDivergence();
    }

    /**
     * Advances one physics step ({@code mj_step}), with the current controls. Afterwards the derived
     * quantities describe the state <em>before</em> the step, as MuJoCo leaves them; see
     * {@link #step(int)} for the dm_control ordering.
     *
     * @throws MjInstabilityException if the simulation diverged (MuJoCo reset the state)
     * @throws MuJoCoException on a fatal MuJoCo error; the data is then reset
     */
    public void step() {
        ensureOpen();
        try {
            MuJoCoNative.mj_step(model.ptr, ptr);
        } catch (RuntimeException e) {
            throw fatal("mj_step", e);
        } finally {
            Reference.reachabilityFence(this);
        }
        stale = true;
        checkDivergence();
    }

    /**
     * Advances {@code substeps} physics steps with the current controls, in one native call, the way
     * dm_control does ({@code mj_step2}, {@code substeps - 1} times {@code mj_step}, {@code mj_step1}):
     * the dynamics equal {@code substeps} calls of {@code mj_step}, and afterwards positions,
     * velocities and position/velocity sensors describe the new state (acceleration-stage sensors such
     * as touch describe the last substep). If the state was written since the last computation, this
     * first runs {@code mj_step1} on it.
     *
     * @param substeps the number of physics steps, {@code >= 1}
     * @throws MjInstabilityException if the simulation diverged (MuJoCo reset the state)
     * @throws MuJoCoException on a fatal MuJoCo error; the data is then reset
     */
    public void step(int substeps) {
        if (substeps < 1) {
            throw new IllegalArgumentException("substeps must be >= 1, got " + substeps);
        }
        ensureOpen();
        try {
            if (stale) {
                MuJoCoNative.mj_step1(model.ptr, ptr);
            }
            MuJoCoNative.gorl_step_substeps(model.ptr, ptr, substeps);
        } catch (RuntimeException e) {
            throw fatal("mj_step", e);
        } finally {
            Reference.reachabilityFence(this);
        }
        stale = false;
        checkDivergence();
    }

    /**
     * How many times MuJoCo raised a warning since the last {@link #reset()} (divergence warnings are
     * cleared when their {@link MjInstabilityException} is thrown).
     *
     * @param warning the warning kind
     * @return the count
     */
    public int warningCount(MjWarning warning) {
        ensureOpen();
        return warnings.get(2 * warning.ordinal() + 1);
    }

    /**
     * The last message MuJoCo's warning handler received on the calling thread (MuJoCo prints each kind
     * of data warning once per reset, and compiler warnings; the handler installed by this binding keeps
     * the message instead of writing {@code MUJOCO_LOG.TXT}).
     *
     * @return the message, empty if none since {@link #clearLastWarningMessage()} or thread start
     */
    public static String lastWarningMessage() {
        MuJoCoNative.load();
        return MuJoCoNative.gorl_last_warning().getString();
    }

    /** Forgets the calling thread's last warning message. */
    public static void clearLastWarningMessage() {
        MuJoCoNative.load();
        MuJoCoNative.gorl_clear_last_warning();
    }

    /**
     * The simulation time.
     *
     * @return seconds since the last reset
     */
    public double time() {
        ensureOpen();
        double t = ptr.time();
        Reference.reachabilityFence(this);
        return t;
    }

    /**
     * The number of contacts found by the last collision detection.
     *
     * @return {@code ncon}
     */
    public int ncon() {
        ensureOpen();
        int n = ptr.ncon();
        Reference.reachabilityFence(this);
        return n;
    }

    /**
     * The number of scalar constraints (rows of the constraint Jacobian) in the last forward computation:
     * joint limits, contacts and equality constraints.
     *
     * @return {@code nefc}, at most {@link MjModel#maxConstraints()}
     */
    public int nefc() {
        ensureOpen();
        int n = ptr.nefc();
        Reference.reachabilityFence(this);
        return n;
    }

    /**
     * The largest number of contacts any step needed since the last {@link #reset()}; beyond {@link MjModel#maxContacts()} MuJoCo drops contacts and raises
     * {@link MjWarning#CONTACT_FULL}.
     *
     * @return {@code maxuse_con}
     */
    public int peakContacts() {
        ensureOpen();
        int n = ptr.maxuse_con();
        Reference.reachabilityFence(this);
        return n;
    }

    /**
     * The largest number of scalar constraints any step needed since the last {@link #reset()}; beyond {@link
     * MjModel#maxConstraints()} MuJoCo drops constraints and raises {@link MjWarning#CONSTRAINT_FULL}.
     *
     * @return {@code maxuse_efc}
     */
    public int peakConstraints() {
        ensureOpen();
        int n = ptr.maxuse_efc();
        Reference.reachabilityFence(this);
        return n;
    }

    // ------------------------------------------------------------------------------------ state

    /**
     * A generalized coordinate.
     *
     * @param i the index, in {@code [0, nq)}
     * @return {@code qpos[i]}
     */
    public double qpos(int i) {
        ensureOpen();
        return qpos.get(i);
    }

    /**
     * Writes a generalized coordinate.
     *
     * @param i the index, in {@code [0, nq)}
     * @param value the new value
     */
    public void setQpos(int i, double value) {
        ensureOpen();
        qpos.put(i, value);
        stale = true;
    }

    /**
     * A generalized velocity.
     *
     * @param i the index, in {@code [0, nv)}
     * @return {@code qvel[i]}
     */
    public double qvel(int i) {
        ensureOpen();
        return qvel.get(i);
    }

    /**
     * Writes a generalized velocity.
     *
     * @param i the index, in {@code [0, nv)}
     * @param value the new value
     */
    public void setQvel(int i, double value) {
        ensureOpen();
        qvel.put(i, value);
        stale = true;
    }

    /**
     * An actuator activation.
     *
     * @param i the index, in {@code [0, na)}
     * @return {@code act[i]}
     */
    public double act(int i) {
        ensureOpen();
        return act.get(i);
    }

    /**
     * Writes an actuator activation.
     *
     * @param i the index, in {@code [0, na)}
     * @param value the new value
     */
    public void setAct(int i, double value) {
        ensureOpen();
        act.put(i, value);
        stale = true;
    }

    /**
     * A control input.
     *
     * @param i the actuator index, in {@code [0, nu)}
     * @return {@code ctrl[i]}
     */
    public double ctrl(int i) {
        ensureOpen();
        return ctrl.get(i);
    }

    /**
     * Writes a control input, used by the next step (MuJoCo clamps it to a limited actuator's range).
     *
     * @param i the actuator index, in {@code [0, nu)}
     * @param value the control
     */
    public void setCtrl(int i, double value) {
        ensureOpen();
        ctrl.put(i, value);
    }

    /**
     * A generalized acceleration from the last forward computation.
     *
     * @param i the index, in {@code [0, nv)}
     * @return {@code qacc[i]}
     */
    public double qacc(int i) {
        ensureOpen();
        return qacc.get(i);
    }

    // ------------------------------------------------------------------------------------ derived

    /**
     * A scalar of the sensor array; a sensor's values start at {@link MjModel#sensorAddress}.
     *
     * @param i the index, in {@code [0, nsensordata)}
     * @return {@code sensordata[i]}
     */
    public double sensordata(int i) {
        ensureOpen();
        return sensordata.get(i);
    }

    /**
     * A body frame's Cartesian position ({@code xpos}, [nbody, 3]).
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double xpos(int body, int axis) {
        ensureOpen();
        return xpos.get(3 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A body frame's orientation quaternion ({@code xquat}, [nbody, 4], w first).
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param k 0..3 for w, x, y, z
     * @return the component
     */
    public double xquat(int body, int k) {
        ensureOpen();
        return xquat.get(4 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(k, 4));
    }

    /**
     * A body frame's orientation matrix ({@code xmat}, [nbody, 9], row-major: component {@code 3*r+c}).
     * For example {@code xmat(body, 8)} is {@code zz}, the projection of the body's z axis on the world's.
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param k the component, in {@code [0, 9)}
     * @return the component
     */
    public double xmat(int body, int k) {
        ensureOpen();
        return xmat.get(9 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(k, 9));
    }

    /**
     * A body's center of mass ({@code xipos}, [nbody, 3]).
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double xipos(int body, int axis) {
        ensureOpen();
        return xipos.get(3 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A joint's anchor point ({@code xanchor}, [njnt, 3]).
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double xanchor(int joint, int axis) {
        ensureOpen();
        return xanchor.get(3 * MjModel.checkedRow(joint, njnt) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A geom's Cartesian position ({@code geom_xpos}, [ngeom, 3]).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double geomXpos(int geom, int axis) {
        ensureOpen();
        return geomXpos.get(3 * MjModel.checkedRow(geom, ngeom) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A geom's orientation matrix ({@code geom_xmat}, [ngeom, 9], row-major).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param k the component, in {@code [0, 9)}
     * @return the component
     */
    public double geomXmat(int geom, int k) {
        ensureOpen();
        return geomXmat.get(9 * MjModel.checkedRow(geom, ngeom) + MjModel.checkedColumn(k, 9));
    }

    /**
     * A site's Cartesian position ({@code site_xpos}, [nsite, 3]).
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double siteXpos(int site, int axis) {
        ensureOpen();
        return siteXpos.get(3 * MjModel.checkedRow(site, nsite) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A site's orientation matrix ({@code site_xmat}, [nsite, 9], row-major).
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param k the component, in {@code [0, 9)}
     * @return the component
     */
    public double siteXmat(int site, int k) {
        ensureOpen();
        return siteXmat.get(9 * MjModel.checkedRow(site, nsite) + MjModel.checkedColumn(k, 9));
    }

    /**
     * The center of mass of a body's subtree ({@code subtree_com}, [nbody, 3]).
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double subtreeCom(int body, int axis) {
        ensureOpen();
        return subtreeCom.get(3 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * The linear velocity of a body subtree's center of mass ({@code subtree_linvel}, [nbody, 3]);
     * computed only when a sensor needs it (such as {@code subtreelinvel}) or by {@code mj_subtreeVel}.
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the velocity component
     */
    public double subtreeLinvel(int body, int axis) {
        ensureOpen();
        return subtreeLinvel.get(3 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(axis, 3));
    }

    /**
     * A body's center-of-mass-based velocity ({@code cvel}, [nbody, 6]: rotation then translation).
     *
     * @param body the body index, in {@code [0, nbody)}
     * @param k the component, in {@code [0, 6)}
     * @return the component
     */
    public double cvel(int body, int k) {
        ensureOpen();
        return cvel.get(6 * MjModel.checkedRow(body, nbody) + MjModel.checkedColumn(k, 6));
    }

    // ------------------------------------------------------------------------------------ lifetime

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /** Frees the native data. Closing twice is harmless; the model stays open. */
    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the MjData is closed");
        }
        model.ensureOpen();
    }

    /** Turns a C++ exception from MuJoCo's error handler into a MuJoCoException and resets the data. */
    private MuJoCoException fatal(String call, RuntimeException e) {
        MuJoCoNative.mj_resetData(model.ptr, ptr);
        stale = true;
        return new MuJoCoException(call + " failed; the data was reset. " + e.getMessage(), e);
    }

    private void checkDivergence() {
        for (MjWarning w : WARNINGS) {
            if (w.divergence() && warnings.get(2 * w.ordinal() + 1) > 0) {
                int info = warnings.get(2 * w.ordinal());
                String text = MuJoCoNative.mju_warningText(w.ordinal(), info).getString();
                double t = ptr.time();
                warnings.put(2 * w.ordinal() + 1, 0);
                stale = true;
                throw new MjInstabilityException(w, "MuJoCo: " + text + " (time " + t + ")");
            }
        }
    }

    /** Frees the data; holds only the pointer, never the {@link MjData}, so the Cleaner can run. */
    private static final class Release implements Runnable {
        private final MuJoCoNative.DataPtr ptr;

        Release(MuJoCoNative.DataPtr ptr) {
            this.ptr = ptr;
        }

        @Override
        public void run() {
            MuJoCoNative.mj_deleteData(ptr);
        }
    }
}
