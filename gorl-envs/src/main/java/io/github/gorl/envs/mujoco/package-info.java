/**
 * A small Java binding of MuJoCo 2.2.2 through JavaCPP: {@link io.github.gorl.envs.mujoco.MjModel}
 * (load MJCF from a string, file or class-path resource) and {@link io.github.gorl.envs.mujoco.MjData}
 * (state, controls, stepping, derived quantities), both {@link java.lang.AutoCloseable} and freed by a
 * {@link java.lang.ref.Cleaner} if forgotten. MuJoCo's errors become {@link
 * io.github.gorl.envs.mujoco.MuJoCoException}s instead of exiting the JVM.
 *
 * <p>The JNI glue is generated and compiled at build time by JavaCPP's Maven plugin; it, {@code
 * libmujoco.so.2.2.2} and the libraries MuJoCo needs (libccd, liblodepng, libqhull_r, libtinyxml2) are
 * bundled in the jar under {@code io/github/gorl/envs/mujoco/linux-x86_64/} and extracted by JavaCPP's
 * {@code Loader} at first use, so a consumer needs no system MuJoCo (linux-x86_64 with glibc and
 * libstdc++ as on Debian 12 or newer).
 */
package io.github.gorl.envs.mujoco;
