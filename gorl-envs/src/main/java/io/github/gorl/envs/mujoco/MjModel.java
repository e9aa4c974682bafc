package io.github.gorl.envs.mujoco;

import io.github.gorl.api.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * A compiled MuJoCo model ({@code mjModel}): sizes, options and the model arrays, loaded from MJCF.
 *
 * <p>Owns native memory: close it (try-with-resources), or a {@link Cleaner} frees it once it becomes
 * unreachable. Closing twice is harmless. Every {@link MjData} made from a model keeps the model
 * reachable; closing a model while data made from it is in use makes those data throw
 * {@link IllegalStateException} rather than touch freed memory. Not thread-safe; one model may serve
 * several {@link MjData} on one thread, and the tasks give each environment its own model.
 *
 * <p>Array accessors take MuJoCo indices (from {@link #id}) and check them; a bad index throws
 * {@link IndexOutOfBoundsException} instead of reading out of bounds.
 */
public final class MjModel implements AutoCloseable {

    static final Cleaner CLEANER = Cleaner.create();

    private static final int ERROR_SIZE = 1000;

    final MuJoCoNative.ModelPtr ptr;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;

    private final int nq;
    private final int nv;
    private final int nu;
    private final int na;
    private final int nbody;
    private final int njnt;
    private final int ngeom;
    private final int nsite;
    private final int nsensor;
    private final int nsensordata;
    private final int njmax;
    private final int nconmax;
    private final double timestep;

    private final IntBuffer jntType;
    private final IntBuffer jntQposadr;
    private final IntBuffer jntDofadr;
    private final ByteBuffer jntLimited;
    private final DoubleBuffer jntRange;
    private final DoubleBuffer dofDamping;
    private final DoubleBuffer bodyMass;
    private final DoubleBuffer geomSize;
    private final DoubleBuffer geomPos;
    private final FloatBuffer geomRgba;
    private final DoubleBuffer siteSize;
    private final DoubleBuffer sitePos;
    private final FloatBuffer siteRgba;
    private final IntBuffer sensorAdr;
    private final IntBuffer sensorDim;
    private final ByteBuffer actuatorCtrllimited;
    private final DoubleBuffer actuatorCtrlrange;

    private MjModel(MuJoCoNative.ModelPtr ptr) {
        this.ptr = ptr;
        this.cleanable = CLEANER.register(this, new Release(ptr));
        nq = ptr.nq();
        nv = ptr.nv();
        nu = ptr.nu();
        na = ptr.na();
        nbody = ptr.nbody();
        njnt = ptr.njnt();
        ngeom = ptr.ngeom();
        nsite = ptr.nsite();
        nsensor = ptr.nsensor();
        nsensordata = ptr.nsensordata();
        njmax = ptr.njmax();
        nconmax = ptr.nconmax();
        timestep = MuJoCoNative.gorl_model_timestep(ptr);
        jntType = view(ptr.jnt_type(), njnt);
        jntQposadr = view(ptr.jnt_qposadr(), njnt);
        jntDofadr = view(ptr.jnt_dofadr(), njnt);
        jntLimited = view(ptr.jnt_limited(), njnt);
        jntRange = view(ptr.jnt_range(), 2L * njnt);
        dofDamping = view(ptr.dof_damping(), nv);
        bodyMass = view(ptr.body_mass(), nbody);
        geomSize = view(ptr.geom_size(), 3L * ngeom);
        geomPos = view(ptr.geom_pos(), 3L * ngeom);
        geomRgba = view(ptr.geom_rgba(), 4L * ngeom);
        siteSize = view(ptr.site_size(), 3L * nsite);
        sitePos = view(ptr.site_pos(), 3L * nsite);
        siteRgba = view(ptr.site_rgba(), 4L * nsite);
        sensorAdr = view(ptr.sensor_adr(), nsensor);
        sensorDim = view(ptr.sensor_dim(), nsensor);
        actuatorCtrllimited = view(ptr.actuator_ctrllimited(), nu);
        actuatorCtrlrange = view(ptr.actuator_ctrlrange(), 2L * nu);
    }

    // ------------------------------------------------------------------------------------ loading

    /**
     * Compiles an MJCF document held in a string (through MuJoCo's in-memory file system, nothing is
     * written to disk). The document must be self-contained: {@code <include>} and asset files are
     * looked up in the in-memory file system, which holds only this document.
     *
     * @param mjcf the MJCF XML text
     * @return the compiled model
     * @throws MuJoCoException with MuJoCo's own message if the document does not compile
     */
    public static MjModel fromXml(String mjcf) {
        Validate.notNull("mjcf", mjcf);
        MuJoCoNative.load();
        try (BytePointer error = new BytePointer(ERROR_SIZE)) {
            error.fill(0);
            MuJoCoNative.ModelPtr ptr;
            try {
                ptr = MuJoCoNative.gorl_load_xml_string(mjcf, error, ERROR_SIZE);
            } catch (RuntimeException e) {
                throw new MuJoCoException("MuJoCo could not load the MJCF document: " + e.getMessage(), e);
            }
            if (ptr == null || ptr.isNull()) {
                throw new MuJoCoException("MuJoCo could not load the MJCF document: " + error.getString().trim());
            }
            return new MjModel(ptr);
        }
    }

    /**
     * Compiles an MJCF file; {@code <include>} and asset paths resolve relative to its directory.
     *
     * @param file the MJCF file
     * @return the compiled model
     * @throws MuJoCoException with MuJoCo's own message if the file is missing or does not compile
     */
    public static MjModel fromFile(Path file) {
        Validate.notNull("file", file);
        MuJoCoNative.load();
        try (BytePointer error = new BytePointer(ERROR_SIZE)) {
            error.fill(0);
            MuJoCoNative.ModelPtr ptr;
            try {
                ptr = MuJoCoNative.mj_loadXML(file.toString(), null, error, ERROR_SIZE);
            } catch (RuntimeException e) {
                throw new MuJoCoException("MuJoCo could not load " + file + ": " + e.getMessage(), e);
            }
            if (ptr == null || ptr.isNull()) {
                throw new MuJoCoException("MuJoCo could not load " + file + ": " + error.getString().trim());
            }
            return new MjModel(ptr);
        }
    }

    /**
     * Compiles an MJCF document found on the class path (self-contained, as for {@link #fromXml}).
     *
     * @param resource the resource path, such as {@code "io/github/gorl/envs/dmc/cheetah.xml"} (a
     *     leading {@code /} is ignored)
     * @return the compiled model
     * @throws IllegalArgumentException if no such resource exists
     * @throws MuJoCoException with MuJoCo's own message if the document does not compile
     */
    public static MjModel fromResource(String resource) {
        Validate.notNull("resource", resource);
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader loader = MjModel.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no MJCF resource '" + resource + "' on the class path");
            }
            return fromXml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read MJCF resource '" + resource + "'", e);
        }
    }

    /**
     * The version of the loaded MuJoCo library.
     *
     * @return for example {@code "2.2.2"}
     */
    public static String mujocoVersion() {
        MuJoCoNative.load();
        return MuJoCoNative.mj_versionString().getString();
    }

    /**
     * Allocates simulation data for this model, in the model's initial state ({@code qpos0}, zero
     * velocity), with positions and sensors not yet computed: call {@link MjData#forward()} before
     * reading them.
     *
     * @return new data, owned by the caller
     */
    public MjData makeData() {
        ensureOpen();
        return new MjData(this);
    }

    // ------------------------------------------------------------------------------------ sizes

    /**
     * The number of generalized coordinates, the length of {@code qpos}.
     *
     * @return {@code nq}
     */
    public int nq() {
        return nq;
    }

    /**
     * The number of degrees of freedom, the length of {@code qvel}.
     *
     * @return {@code nv}
     */
    public int nv() {
        return nv;
    }

    /**
     * The number of actuators, the length of {@code ctrl}.
     *
     * @return {@code nu}
     */
    public int nu() {
        return nu;
    }

    /**
     * The number of activation states, the length of {@code act}.
     *
     * @return {@code na}
     */
    public int na() {
        return na;
    }

    /**
     * The number of bodies, the world body 0 included.
     *
     * @return {@code nbody}
     */
    public int nbody() {
        return nbody;
    }

    /**
     * The number of joints.
     *
     * @return {@code njnt}
     */
    public int njnt() {
        return njnt;
    }

    /**
     * The number of geoms.
     *
     * @return {@code ngeom}
     */
    public int ngeom() {
        return ngeom;
    }

    /**
     * The number of sites.
     *
     * @return {@code nsite}
     */
    public int nsite() {
        return nsite;
    }

    /**
     * The number of sensors.
     *
     * @return {@code nsensor}
     */
    public int nsensor() {
        return nsensor;
    }

    /**
     * The number of scalars in {@code sensordata}.
     *
     * @return {@code nsensordata}
     */
    public int nsensordata() {
        return nsensordata;
    }

    /**
     * The scalar constraints a step can hold ({@code njmax}, from {@code <size njmax>}; MuJoCo 2.2.2 uses 500
     * when the model does not set it). Each {@link MjData} allocates {@code njmax x njmax} doubles for the
     * constraint solver, so this size decides most of its memory.
     *
     * @return {@code njmax}
     */
    public int maxConstraints() {
        return njmax;
    }

    /**
     * The contacts a step can hold ({@code nconmax}, from {@code <size nconmax>}; 100 when the model does
     * not set it).
     *
     * @return {@code nconmax}
     */
    public int maxContacts() {
        return nconmax;
    }

    /**
     * The physics time step, {@code opt.timestep}.
     *
     * @return seconds per {@code mj_step}
     */
    public double timestep() {
        return timestep;
    }

    // ------------------------------------------------------------------------------------ names

    /**
     * Looks an object up by name ({@code mj_name2id}).
     *
     * @param type the object type
     * @param name the object's name in the MJCF
     * @return its index, {@code >= 0}
     * @throws IllegalArgumentException if the model has no such object
     */
    public int id(MjObjectType type, String name) {
        Validate.notNull("type", type);
        Validate.notNull("name", name);
        ensureOpen();
        int id = MuJoCoNative.mj_name2id(ptr, type.ordinal(), name);
        Reference.reachabilityFence(this);
        if (id < 0) {
            throw new IllegalArgumentException("the model has no " + type.label() + " named '" + name + "'");
        }
        return id;
    }

    // ------------------------------------------------------------------------------------ joints

    /**
     * A joint's type.
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @return the type
     */
    public MjJointType jointType(int joint) {
        ensureOpen();
        return MjJointType.ofCode(jntType.get(joint));
    }

    /**
     * Whether a joint has limits.
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @return {@code jnt_limited[joint] != 0}
     */
    public boolean jointLimited(int joint) {
        ensureOpen();
        return jntLimited.get(joint) != 0;
    }

    /**
     * A joint's range ({@code jnt_range}), in radians for hinges and meters for slides.
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @param bound 0 for the lower bound, 1 for the upper
     * @return the bound
     */
    public double jointRange(int joint, int bound) {
        ensureOpen();
        return jntRange.get(2 * checkedRow(joint, njnt) + checkedColumn(bound, 2));
    }

    /**
     * Where a joint's coordinates start in {@code qpos}.
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @return the {@code qpos} address
     */
    public int jointQposAddress(int joint) {
        ensureOpen();
        return jntQposadr.get(joint);
    }

    /**
     * Where a joint's degrees of freedom start in {@code qvel}.
     *
     * @param joint the joint index, in {@code [0, njnt)}
     * @return the {@code qvel} address
     */
    public int jointDofAddress(int joint) {
        ensureOpen();
        return jntDofadr.get(joint);
    }

    /**
     * A degree of freedom's damping coefficient.
     *
     * @param dof the dof index, in {@code [0, nv)}
     * @return {@code dof_damping[dof]}
     */
    public double dofDamping(int dof) {
        ensureOpen();
        return dofDamping.get(dof);
    }

    /**
     * Changes a degree of freedom's damping coefficient.
     *
     * @param dof the dof index, in {@code [0, nv)}
     * @param damping the new coefficient, finite and {@code >= 0}
     */
    public void setDofDamping(int dof, double damping) {
        Validate.nonNegative("damping", damping);
        ensureOpen();
        dofDamping.put(dof, damping);
    }

    /**
     * A body's mass.
     *
     * @param body the body index, in {@code [0, nbody)}
     * @return kilograms
     */
    public double bodyMass(int body) {
        ensureOpen();
        return bodyMass.get(body);
    }

    // ------------------------------------------------------------------------------------ geoms, sites

    /**
     * A component of a geom's size parameters ({@code geom_size}, [ngeom, 3]).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param k the component, in {@code [0, 3)}
     * @return the size parameter
     */
    public double geomSize(int geom, int k) {
        ensureOpen();
        return geomSize.get(3 * checkedRow(geom, ngeom) + checkedColumn(k, 3));
    }

    /**
     * A component of a geom's position relative to its body ({@code geom_pos}, [ngeom, 3]).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double geomPos(int geom, int axis) {
        ensureOpen();
        return geomPos.get(3 * checkedRow(geom, ngeom) + checkedColumn(axis, 3));
    }

    /**
     * Moves a geom relative to its body; call {@link MjData#forward()} before reading positions again.
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param axis 0, 1 or 2 for x, y, z
     * @param value the new coordinate, finite
     */
    public void setGeomPos(int geom, int axis, double value) {
        requireFinite("geom_pos", value);
        ensureOpen();
        geomPos.put(3 * checkedRow(geom, ngeom) + checkedColumn(axis, 3), value);
    }

    /**
     * A component of a geom's color ({@code geom_rgba}, [ngeom, 4]).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param k 0..3 for red, green, blue, alpha
     * @return the component
     */
    public float geomRgba(int geom, int k) {
        ensureOpen();
        return geomRgba.get(4 * checkedRow(geom, ngeom) + checkedColumn(k, 4));
    }

    /**
     * Changes a component of a geom's color (visual only).
     *
     * @param geom the geom index, in {@code [0, ngeom)}
     * @param k 0..3 for red, green, blue, alpha
     * @param value the component, in [0, 1]
     */
    public void setGeomRgba(int geom, int k, float value) {
        Validate.inRange("geom_rgba", value, 0, 1);
        ensureOpen();
        geomRgba.put(4 * checkedRow(geom, ngeom) + checkedColumn(k, 4), value);
    }

    /**
     * A component of a site's size ({@code site_size}, [nsite, 3]).
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param k the component, in {@code [0, 3)}
     * @return the size parameter
     */
    public double siteSize(int site, int k) {
        ensureOpen();
        return siteSize.get(3 * checkedRow(site, nsite) + checkedColumn(k, 3));
    }

    /**
     * Changes a component of a site's size.
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param k the component, in {@code [0, 3)}
     * @param value the new size, finite and {@code >= 0}
     */
    public void setSiteSize(int site, int k, double value) {
        Validate.nonNegative("site_size", value);
        ensureOpen();
        siteSize.put(3 * checkedRow(site, nsite) + checkedColumn(k, 3), value);
    }

    /**
     * A component of a site's position relative to its body ({@code site_pos}, [nsite, 3]).
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param axis 0, 1 or 2 for x, y, z
     * @return the coordinate
     */
    public double sitePos(int site, int axis) {
        ensureOpen();
        return sitePos.get(3 * checkedRow(site, nsite) + checkedColumn(axis, 3));
    }

    /**
     * Moves a site relative to its body; call {@link MjData#forward()} before reading positions again.
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param axis 0, 1 or 2 for x, y, z
     * @param value the new coordinate, finite
     */
    public void setSitePos(int site, int axis, double value) {
        requireFinite("site_pos", value);
        ensureOpen();
        sitePos.put(3 * checkedRow(site, nsite) + checkedColumn(axis, 3), value);
    }

    /**
     * Changes a component of a site's color (visual only).
     *
     * @param site the site index, in {@code [0, nsite)}
     * @param k 0..3 for red, green, blue, alpha
     * @param value the component, in [0, 1]
     */
    public void setSiteRgba(int site, int k, float value) {
        Validate.inRange("site_rgba", value, 0, 1);
        ensureOpen();
        siteRgba.put(4 * checkedRow(site, nsite) + checkedColumn(k, 4), value);
    }

    // ------------------------------------------------------------------------------------ sensors, actuators

    /**
     * Where a sensor's values start in {@code sensordata}.
     *
     * @param sensor the sensor index, in {@code [0, nsensor)}
     * @return the address
     */
    public int sensorAddress(int sensor) {
        ensureOpen();
        return sensorAdr.get(sensor);
    }

    /**
     * How many scalars a sensor writes.
     *
     * @param sensor the sensor index, in {@code [0, nsensor)}
     * @return its dimension
     */
    public int sensorDim(int sensor) {
        ensureOpen();
        return sensorDim.get(sensor);
    }

    /**
     * Whether an actuator's control is clamped to its range.
     *
     * @param actuator the actuator index, in {@code [0, nu)}
     * @return {@code actuator_ctrllimited[actuator] != 0}
     */
    public boolean actuatorCtrlLimited(int actuator) {
        ensureOpen();
        return actuatorCtrllimited.get(actuator) != 0;
    }

    /**
     * An actuator's control range.
     *
     * @param actuator the actuator index, in {@code [0, nu)}
     * @param bound 0 for the lower bound, 1 for the upper
     * @return the bound
     */
    public double actuatorCtrlRange(int actuator, int bound) {
        ensureOpen();
        return actuatorCtrlrange.get(2 * checkedRow(actuator, nu) + checkedColumn(bound, 2));
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

    /** Frees the native model. Closing twice is harmless. */
    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the MjModel is closed");
        }
    }

    @Override
    public String toString() {
        return closed ? "MjModel[closed]"
                : "MjModel[nq=" + nq + ", nv=" + nv + ", nu=" + nu + ", nbody=" + nbody
                        + ", nsensordata=" + nsensordata + ", timestep=" + timestep + "]";
    }

    // ------------------------------------------------------------------------------------ internals

    static int checkedRow(int row, int rows) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("index " + row + " out of bounds for " + rows + " objects");
        }
        return row;
    }

    static int checkedColumn(int column, int columns) {
        if (column < 0 || column >= columns) {
            throw new IndexOutOfBoundsException(
                    "component " + column + " out of bounds for " + columns + " components");
        }
        return column;
    }

    private static void requireFinite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be finite, got " + value);
        }
    }

    static DoubleBuffer view(DoublePointer p, long n) {
        if (n == 0 || p == null || p.isNull()) {
            return DoubleBuffer.allocate(0);
        }
        return p.capacity(n).asBuffer();
    }

    static IntBuffer view(IntPointer p, long n) {
        if (n == 0 || p == null || p.isNull()) {
            return IntBuffer.allocate(0);
        }
        return p.capacity(n).asBuffer();
    }

    static FloatBuffer view(FloatPointer p, long n) {
        if (n == 0 || p == null || p.isNull()) {
            return FloatBuffer.allocate(0);
        }
        return p.capacity(n).asBuffer();
    }

    static ByteBuffer view(BytePointer p, long n) {
        if (n == 0 || p == null || p.isNull()) {
            return ByteBuffer.allocate(0);
        }
        return p.capacity(n).asBuffer();
    }

    /** Frees the model; holds only the pointer, never the {@link MjModel}, so the Cleaner can run. */
    private static final class Release implements Runnable {
        private final MuJoCoNative.ModelPtr ptr;

        Release(MuJoCoNative.ModelPtr ptr) {
            this.ptr = ptr;
        }

        @Override
        public void run() {
            MuJoCoNative.mj_deleteModel(ptr);
        }
    }
}
