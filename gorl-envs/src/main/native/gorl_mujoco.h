// Small C++ shim between MuJoCo 2.2.2's C API and the JavaCPP mapping in
// io.github.gorl.envs.mujoco.MuJoCoNative. Everything here is inline: JavaCPP compiles this header into
// the JNI library together with the generated glue.
//
// Why a shim at all:
//  - MuJoCo's default error handler calls exit(); ours throws a C++ exception instead, which the
//    JavaCPP glue turns into a java.lang.RuntimeException (libmujoco is built with unwind tables).
//  - MuJoCo's default warning handler appends to MUJOCO_LOG.TXT in the working directory; ours keeps
//    the last message per thread so Java can report it.
//  - Loading from a string needs an mjVFS, which is a ~2 MB struct: allocate it on the heap here.
//  - dm_control steps the physics as mj_step2, (n-1) x mj_step, mj_step1, so that the position- and
//    velocity-dependent quantities describe the state after the step; doing that in one native call
//    keeps one JNI crossing per control step.
#ifndef GORL_MUJOCO_H
#define GORL_MUJOCO_H

#include <mujoco/mujoco.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace gorl_mujoco {

inline char* last_warning() {
    static thread_local char buffer[1024] = {0};
    return buffer;
}

inline void on_error(const char* message) {
    throw std::runtime_error(std::string("MuJoCo error: ") + (message ? message : "(no message)"));
}

inline void on_warning(const char* message) {
    char* buffer = last_warning();
    std::strncpy(buffer, message ? message : "", 1023);
    buffer[1023] = 0;
}

}  // namespace gorl_mujoco

// Installs the error and warning handlers; idempotent. Called once when the Java class loads.
inline void gorl_install_handlers() {
    mju_user_error = gorl_mujoco::on_error;
    mju_user_warning = gorl_mujoco::on_warning;
}

// The last MuJoCo warning message on this thread ("" if none since the last clear).
inline const char* gorl_last_warning() { return gorl_mujoco::last_warning(); }

inline void gorl_clear_last_warning() { gorl_mujoco::last_warning()[0] = 0; }

// Raises MuJoCo's error handler with the message (used by tests to prove errors do not exit()).
inline void gorl_raise_error(const char* message) { mju_error(message); }

// Compiles an MJCF document held in memory. Returns null with MuJoCo's message in error on failure.
inline mjModel* gorl_load_xml_string(const char* xml, char* error, int error_size) {
    mjVFS* vfs = new (std::nothrow) mjVFS;
    if (!vfs) {
        std::strncpy(error, "could not allocate the MuJoCo virtual file system", error_size - 1);
        error[error_size - 1] = 0;
        return nullptr;
    }
    mj_defaultVFS(vfs);
    const char* name = "gorl_model.xml";
    int size = (int) std::strlen(xml);
    int status = mj_makeEmptyFileVFS(vfs, name, size);
    if (status != 0) {
        std::strncpy(error, "could not create the in-memory model file", error_size - 1);
        error[error_size - 1] = 0;
        mj_deleteVFS(vfs);
        delete vfs;
        return nullptr;
    }
    int index = mj_findFileVFS(vfs, name);
    std::memcpy(vfs->filedata[index], xml, size);
    mjModel* model = nullptr;
    try {
        model = mj_loadXML(name, vfs, error, error_size);
    } catch (...) {
        mj_deleteVFS(vfs);
        delete vfs;
        throw;
    }
    mj_deleteVFS(vfs);
    delete vfs;
    return model;
}

// Advances the simulation by n physics steps the way dm_control does: assumes mj_step1 (or mj_forward)
// already ran on the current state, finishes with mj_step1 so that positions, velocities and
// position/velocity sensors describe the new state.
inline void gorl_step_substeps(const mjModel* m, mjData* d, int n) {
    mj_step2(m, d);
    for (int i = 1; i < n; i++) {
        mj_step(m, d);
    }
    mj_step1(m, d);
}

// The warning statistics as ints: [lastinfo_0, number_0, lastinfo_1, number_1, ...], mjNWARNING pairs.
inline int* gorl_warnings(mjData* d) { return &d->warning[0].lastinfo; }

inline int gorl_warning_count() { return mjNWARNING; }

inline double gorl_model_timestep(const mjModel* m) { return m->opt.timestep; }

#endif  // GORL_MUJOCO_H
