package io.github.gorl.envs.mujoco;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gorl.api.Env;
import io.github.gorl.envs.dmc.DmControl;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs against the packaged gorl-envs jar (failsafe puts the jar, not target/classes, on the class
 * path): JavaCPP must extract the JNI glue, libmujoco and its dependencies from the jar and load them
 * from its cache, never from the system.
 */
@EnabledOnOs(OS.LINUX)
class BundledNativesIT {

    @Test
    void nativesLoadFromTheJar_andATaskSteps() {
        assertThat(MjModel.class.getProtectionDomain().getCodeSource().getLocation().getPath()).endsWith(".jar");
        try (Env env = DmControl.make("CheetahRun")) {
            float[] obs = new float[17];
            env.reset(0, obs);
            env.step(new float[6], obs);
        }
        Map<String, Path> loaded = LoadedLibraries.bundled();
        assertThat(loaded.keySet()).containsExactlyInAnyOrderElementsOf(LoadedLibraries.BUNDLED);
        Path jni = loaded.get("libjniMuJoCoNative.so");
        assertThat(loaded.values()).as(loaded.toString()).allMatch(jni::equals);
        assertThat(jni.toString()).contains("javacpp-cache").contains("gorl-envs");
    }
}
