package io.github.gorl.envs.mujoco;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The hand-written JavaCPP mapping of the part of MuJoCo 2.2.2's C API that gorl-java uses, plus the
 * inline C++ shim in {@code src/main/native/gorl_mujoco.h}.
 *
 * <p>JavaCPP's Maven plugin generates and compiles the JNI glue from this class at {@code
 * process-classes} and copies {@code libmujoco.so.2.2.2} and its four shared-library dependencies next
 * to it (the {@code preload} list), so the jar carries everything a consumer needs at run time.
 *
 * <p>Internal: use {@link MjModel} and {@link MjData}, which own the native memory and check their
 * arguments. Nothing here checks anything; a wrong index reads or writes out of bounds.
 */
@Platform(
        value = "linux-x86_64",
        include = {"mujoco/mujoco.h", "gorl_mujoco.h"},
        link = "mujoco@.2.2.2",
        preload = {"ccd@.2", "lodepng@.0", "qhull_r@.8.0", "tinyxml2@.9"})
final class MuJoCoNative {

    static {
        Loader.load();
        gorl_install_handlers();
    }

    private MuJoCoNative() {}

    /** Forces the static initializer (library load and handler installation). */
    static void load() {
        // the static initializer did the work
    }

    // ---------------------------------------------------------------- opaque structs with accessors

    /** {@code mjModel*}: sizes, options and the model arrays the tasks read or modify. */
    @Name("mjModel")
    static final class ModelPtr extends Pointer {
        static {
            Loader.load();
        }

        ModelPtr(Pointer p) {
            super(p);
        }

        @MemberGetter native int nq();

        @MemberGetter native int nv();

        @MemberGetter native int nu();

        @MemberGetter native int na();

        @MemberGetter native int nbody();

        @MemberGetter native int njnt();

        @MemberGetter native int ngeom();

        @MemberGetter native int nsite();

        @MemberGetter native int nsensor();

        @MemberGetter native int nsensordata();

        @MemberGetter native int ntendon();

        @MemberGetter native int nnames();

        @MemberGetter native int njmax();

        @MemberGetter native int nconmax();

        @MemberGetter native IntPointer jnt_type();

        @MemberGetter native IntPointer jnt_qposadr();

        @MemberGetter native IntPointer jnt_dofadr();

        @MemberGetter native IntPointer jnt_bodyid();

        @MemberGetter @Cast("unsigned char*") native BytePointer jnt_limited();

        @MemberGetter native DoublePointer jnt_range();

        @MemberGetter native DoublePointer dof_damping();

        @MemberGetter native DoublePointer body_mass();

        @MemberGetter native DoublePointer geom_size();

        @MemberGetter native DoublePointer geom_pos();

        @MemberGetter native FloatPointer geom_rgba();

        @MemberGetter native DoublePointer site_size();

        @MemberGetter native DoublePointer site_pos();

        @MemberGetter native FloatPointer site_rgba();

        @MemberGetter native IntPointer sensor_adr();

        @MemberGetter native IntPointer sensor_dim();

        @MemberGetter @Cast("unsigned char*") native BytePointer actuator_ctrllimited();

        @MemberGetter native DoublePointer actuator_ctrlrange();

        @MemberGetter native DoublePointer qpos0();
    }

    /** {@code mjData*}: the state and the quantities computed from it. */
    @Name("mjData")
    static final class DataPtr extends Pointer {
        static {
            Loader.load();
        }

        DataPtr(Pointer p) {
            super(p);
        }

        @MemberGetter native double time();

        @MemberGetter native int ncon();

        @MemberGetter native int nstack();

        @MemberGetter native int pstack();

        @MemberGetter native int nefc();

        @MemberGetter native int maxuse_con();

        @MemberGetter native int maxuse_efc();

        @MemberGetter native DoublePointer qpos();

        @MemberGetter native DoublePointer qvel();

        @MemberGetter native DoublePointer act();

        @MemberGetter native DoublePointer ctrl();

        @MemberGetter native DoublePointer qacc();

        @MemberGetter native DoublePointer qfrc_applied();

        @MemberGetter native DoublePointer sensordata();

        @MemberGetter native DoublePointer xpos();

        @MemberGetter native DoublePointer xquat();

        @MemberGetter native DoublePointer xmat();

        @MemberGetter native DoublePointer xipos();

        @MemberGetter native DoublePointer xanchor();

        @MemberGetter native DoublePointer geom_xpos();

        @MemberGetter native DoublePointer geom_xmat();

        @MemberGetter native DoublePointer site_xpos();

        @MemberGetter native DoublePointer site_xmat();

        @MemberGetter native DoublePointer subtree_com();

        @MemberGetter native DoublePointer cvel();

        @MemberGetter native DoublePointer subtree_linvel();
    }

    // ---------------------------------------------------------------- MuJoCo functions

    static native int mj_version();

    static native @Const BytePointer mj_versionString();

    static native ModelPtr mj_loadXML(String filename, @Cast("const mjVFS*") Pointer vfs,
            @Cast("char*") BytePointer error, int errorSize);

    static native void mj_deleteModel(ModelPtr m);

    static native DataPtr mj_makeData(@Const ModelPtr m);

    static native void mj_deleteData(DataPtr d);

    static native void mj_resetData(@Const ModelPtr m, DataPtr d);

    static native void mj_step(@Const ModelPtr m, DataPtr d);

    static native void mj_step1(@Const ModelPtr m, DataPtr d);

    static native void mj_step2(@Const ModelPtr m, DataPtr d);

    static native void mj_forward(@Const ModelPtr m, DataPtr d);

    @NoException
    static native int mj_name2id(@Const ModelPtr m, int type, String name);

    @NoException
    static native @Const BytePointer mju_warningText(int warning, int info);

    // ---------------------------------------------------------------- shim (gorl_mujoco.h)

    static native void gorl_install_handlers();

    @NoException
    static native @Const BytePointer gorl_last_warning();

    @NoException
    static native void gorl_clear_last_warning();

    static native void gorl_raise_error(String message);

    static native ModelPtr gorl_load_xml_string(String xml, @Cast("char*") BytePointer error, int errorSize);

    static native void gorl_step_substeps(@Const ModelPtr m, DataPtr d, int n);

    @NoException
    static native IntPointer gorl_warnings(DataPtr d);

    @NoException
    static native int gorl_warning_count();

    @NoException
    static native double gorl_model_timestep(@Const ModelPtr m);
}
